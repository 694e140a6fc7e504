import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc32c, maskedCrc32c, maskedCrc32cOf8 } from '../../../../../src/engine/readers/tensorboard/crc32c';
import { referenceCrc32c } from '../../../../support/tfeventsWriter';

test('crc32c matches the published check values of CRC-32C', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
});

test('maskedCrc32c matches the TFRecord test vector of rustboard masked_crc.rs', () => {
  const data = new Uint8Array([0x1a, 0x11, ...new TextEncoder().encode('CRC test, one two')]);
  assert.equal(maskedCrc32c(data), 0x5794d08a);
});

test('the slicing-by-8 crc32c agrees with the bitwise reference on any bytes and sub-range', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
      const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
      const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
      assert.equal(crc32c(bytes, start, end), referenceCrc32c(bytes.subarray(start, end)));
    }),
  );
});

test('maskedCrc32cOf8 (the length check) agrees with maskedCrc32c over the same 8 bytes, high bits set or not', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 8, maxLength: 40 }), fc.nat(), (bytes, at) => {
      const offset = at % (bytes.length - 7);
      assert.equal(maskedCrc32cOf8(bytes, offset), maskedCrc32c(bytes, offset, offset + 8));
    }),
  );
  assert.equal(maskedCrc32cOf8(new Uint8Array(8).fill(0xff), 0), maskedCrc32c(new Uint8Array(8).fill(0xff)));
});
