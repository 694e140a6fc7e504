import { decodeShortString } from './wireReader';

/**
 * Gives each distinct `Summary.Value` tag of one run a small integer id, straight from the tag's
 * bytes: an event file repeats a handful of tags millions of times, and per value a string
 * decode (or cache lookup) followed by Map lookups by that string were most of the reading time.
 * With ids the run tail keeps its per-tag state in arrays indexed by id.
 *
 * Writers log their tags in a cycle (one event per tag per step, in the same order), so the tag
 * after the last one seen is compared first, then the last one, then a hash of the bytes.
 */
export class TagTable {
  private readonly tagBytes: Uint8Array[] = [];
  private readonly texts: string[] = [];
  /** Hash of the bytes -> ids with that hash. */
  private readonly byHash = new Map<number, number[]>();
  private last = -1;

  get size(): number {
    return this.texts.length;
  }

  /** The id of the tag whose UTF-8 bytes are `bytes[start, end)`, assigning one to a new tag. */
  idOf(bytes: Uint8Array, start: number, end: number): number {
    const count = this.tagBytes.length;
    if (count > 0) {
      const next = this.last + 1 < count ? this.last + 1 : 0;
      if (sameBytes(this.tagBytes[next]!, bytes, start, end)) return (this.last = next);
      if (this.last >= 0 && sameBytes(this.tagBytes[this.last]!, bytes, start, end)) return this.last;
    }
    let hash = 0x811c9dc5 ^ (end - start);
    for (let index = start; index < end; index++) hash = Math.imul(hash ^ bytes[index]!, 0x01000193);
    const candidates = this.byHash.get(hash);
    if (candidates) {
      for (const id of candidates) if (sameBytes(this.tagBytes[id]!, bytes, start, end)) return (this.last = id);
    }
    const id = count;
    this.tagBytes.push(bytes.slice(start, end));
    this.texts.push(decodeShortString(bytes, start, end));
    if (candidates) candidates.push(id);
    else this.byHash.set(hash, [id]);
    return (this.last = id);
  }

  /** The tag's text. */
  text(id: number): string {
    return this.texts[id]!;
  }
}

function sameBytes(known: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  if (known.length !== length) return false;
  for (let index = 0; index < length; index++) if (known[index] !== bytes[start + index]) return false;
  return true;
}
