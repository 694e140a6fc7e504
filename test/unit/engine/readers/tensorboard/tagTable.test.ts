import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TagTable } from '../../../../../src/engine/readers/tensorboard/tagTable';

const utf8 = (text: string) => new TextEncoder().encode(text);

test('each distinct tag gets one id, found again whatever the order and wherever its bytes are', () => {
  const table = new TagTable();
  const tags = ['train/loss', 'train/acc', 'val/loss', '', 'é/ü', 'x'.repeat(200), 'train/los', 'train/lossy'];
  // In a bigger buffer, at an offset: ids come from the bytes of [start, end) only.
  const at = (text: string) => {
    const bytes = utf8(`@@${text}##`);
    return table.idOf(bytes, 2, bytes.length - 2);
  };
  const ids = tags.map(at);
  assert.deepEqual(ids, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(table.size, tags.length);
  assert.deepEqual(
    ids.map((id) => table.text(id)),
    tags,
  );
  // The cycle (next after the last), the same again, and random jumps all resolve.
  for (const order of [
    [0, 1, 2, 3, 4, 5, 6, 7, 0, 1],
    [7, 7, 7, 0],
    [5, 2, 6, 1, 3, 0, 4],
  ]) {
    for (const index of order) assert.equal(at(tags[index]!), index);
  }
  assert.equal(table.size, tags.length);
});

test('any sequence of tags maps to ids as a Map by string would', () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('a', 'b', 'ab', 'ba', '', 'loss', 'lossé', 'a'.repeat(70)), { maxLength: 60 }),
      (sequence) => {
        const table = new TagTable();
        const expected = new Map<string, number>();
        for (const tag of sequence) {
          if (!expected.has(tag)) expected.set(tag, expected.size);
          const bytes = utf8(tag);
          assert.equal(table.idOf(bytes, 0, bytes.length), expected.get(tag));
        }
      },
    ),
  );
});
