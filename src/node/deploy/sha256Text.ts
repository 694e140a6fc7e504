import { createHash } from 'node:crypto';

/** The audit log's Sha256 port: lowercase hex of the UTF-8 text. */
export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
