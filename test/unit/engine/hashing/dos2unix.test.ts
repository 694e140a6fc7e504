import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dos2unix, isTextBlock } from '../../../../src/engine/hashing/dos2unix';

const bytes = (text: string) => new TextEncoder().encode(text);

test('isTextBlock follows DVC: empty is text, a NUL is binary, more than 30% non-text bytes is binary', () => {
  assert.equal(isTextBlock(new Uint8Array()), true);
  assert.equal(isTextBlock(bytes('plain text\r\n\t\f\b')), true);
  assert.equal(isTextBlock(new Uint8Array([0x61, 0x00, 0x62])), false);
  assert.equal(isTextBlock(new Uint8Array([0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0xc3, 0xa9])), true, '2 of 8 = 25%');
  assert.equal(isTextBlock(new Uint8Array([0x61, 0x62, 0xc3, 0xa9])), false, '2 of 4 = 50%');
});

test('non-ASCII UTF-8 text counts as binary once more than 30% of its bytes are non-ASCII', () => {
  assert.equal(isTextBlock(bytes('ééé')), false);
  assert.equal(isTextBlock(bytes('abcdefghé')), true);
});

test('dos2unix replaces every CRLF by LF and leaves lone CR and LF alone', () => {
  const decode = (data: Uint8Array) => new TextDecoder().decode(data);
  assert.equal(decode(dos2unix(bytes('a\r\nb\r\n'))), 'a\nb\n');
  assert.equal(decode(dos2unix(bytes('a\rb\n\r\r\n'))), 'a\rb\n\r\n');
  const untouched = bytes('no crlf\n');
  assert.equal(dos2unix(untouched), untouched);
});
