/**
 * A file name for a stage address (`sub/dvc.yaml:train@cnn` -> `sub_dvc.yaml_train@cnn`). When
 * characters had to be replaced, a short hash of the whole address is appended, so two addresses
 * that differ only in replaced characters never share a log file.
 */
const UNSAFE = /[^A-Za-z0-9._@-]/g;

export function safeFileName(address: string): string {
  const cleaned = address.replace(UNSAFE, '_').replace(/^\.+/, '_').slice(0, 120);
  if (cleaned === address) return address;
  return `${cleaned}-${fnv1a(address).toString(16).padStart(8, '0')}`;
}

/** 32-bit FNV-1a over UTF-16 code units: tiny, stable, good enough to tell names apart. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
