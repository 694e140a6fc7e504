import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeAnyEventInto,
  decodeEvent,
  decodeEventInto,
  EventScratch,
} from '../../../../../src/engine/readers/tensorboard/decodeEvent';
import { TagTable } from '../../../../../src/engine/readers/tensorboard/tagTable';
import { decodeTensorScalar, halfToNumber } from '../../../../../src/engine/readers/tensorboard/decodeTensorScalar';
import { DataType, encodeEvent } from '../../../../support/tfeventsWriter';

const hex = (text: string) =>
  Uint8Array.from(
    text
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((byte) => parseInt(byte, 16)),
  );
const decode = (bytes: Uint8Array) => decodeEvent(bytes, 0, bytes.length);

test('decodeEvent reads the FORMATS.md example event (wall_time 1.5, step 3, loss = 0.25)', () => {
  const bytes = hex('09 000000000000f83f 10 03 2a 0d 0a 0b 0a 04 6c6f7373 15 0000803e');
  assert.deepEqual(decode(bytes), {
    wallTime: 1.5,
    step: 3,
    fileVersion: undefined,
    sessionStatus: undefined,
    values: [{ tag: 'loss', value: 0.25, pluginName: undefined, isTensor: false }],
  });
  assert.deepEqual(encodeEvent({ wallTime: 1.5, step: 3, values: [{ tag: 'loss', simpleValue: 0.25 }] }), bytes);
});

test('negative steps (10-byte varints) and session logs decode', () => {
  const event = decode(encodeEvent({ wallTime: 2, step: -5, sessionStatus: 1 }));
  assert.equal(event.step, -5);
  assert.equal(event.sessionStatus, 1);
});

test('TF2 and PyTorch tensor scalars decode in every representation', () => {
  const float32 = new Uint8Array(new Float32Array([0.5]).buffer);
  const float64 = new Uint8Array(new Float64Array([0.125]).buffer);
  const cases: Array<[string, Parameters<typeof encodeEvent>[0]['values'], number | undefined]> = [
    [
      'tensor_content float32 (TF2 tf.summary.scalar)',
      [{ tag: 't', tensor: { dtype: DataType.float, content: float32 } }],
      0.5,
    ],
    ['float_val packed (PyTorch new_style)', [{ tag: 't', tensor: { dtype: DataType.float, floatVal: [0.75] } }], 0.75],
    ['float_val unpacked', [{ tag: 't', tensor: { dtype: DataType.float, floatVal: [0.25], unpacked: true } }], 0.25],
    ['double_val', [{ tag: 't', tensor: { dtype: DataType.double, doubleVal: [0.1] } }], 0.1],
    ['tensor_content float64', [{ tag: 't', tensor: { dtype: DataType.double, content: float64 } }], 0.125],
    ['half_val', [{ tag: 't', tensor: { dtype: DataType.half, halfVal: [0x3c00] } }], 1],
    ['int64_val', [{ tag: 't', tensor: { dtype: DataType.int64, int64Val: [-7] } }], -7],
    ['int_val', [{ tag: 't', tensor: { dtype: DataType.int32, intVal: [42] } }], 42],
    ['a rank-0 shape', [{ tag: 't', tensor: { dtype: DataType.float, floatVal: [2], shape: [] } }], 2],
    [
      'a vector is not a scalar',
      [{ tag: 't', tensor: { dtype: DataType.float, floatVal: [1, 2], shape: [2] } }],
      undefined,
    ],
    [
      'a string tensor is not a scalar',
      [{ tag: 't', tensor: { dtype: DataType.string, stringVal: ['hi'] } }],
      undefined,
    ],
  ];
  for (const [name, values, expected] of cases) {
    const [value] = decode(encodeEvent({ step: 1, values })).values;
    assert.equal(value?.value, expected, name);
    assert.equal(value?.isTensor, true, name);
  }
});

test('plugin names come from the first value metadata', () => {
  const [value] = decode(encodeEvent({ values: [{ tag: 'x', simpleValue: 1, pluginName: 'scalars' }] })).values;
  assert.equal(value?.pluginName, 'scalars');
});

test('halfToNumber and malformed tensors', () => {
  assert.equal(halfToNumber(0x3c00), 1);
  assert.equal(halfToNumber(0xc000), -2);
  assert.equal(halfToNumber(0x7c00), Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(halfToNumber(0x7e00)));
  assert.throws(() => decodeTensorScalar(new Uint8Array([0x0a, 0x05, 1]), 0, 3));
});

/** What a scratch holds after a decode (or the error it threw), comparable with deepEqual. */
function decodedWith(decoder: typeof decodeEventInto, bytes: Uint8Array): unknown {
  try {
    const event = decoder(bytes, 0, bytes.length, new EventScratch(new TagTable()));
    const values = Array.from({ length: event.valueCount }, (_unused, index) => ({
      tag: event.tagTable.text(event.tagIds[index]!),
      value: event.hasValue[index] ? event.values[index] : undefined,
      pluginName: event.pluginNames[index],
      isTensor: event.isTensor[index],
    }));
    const { wallTime, step, fileVersion, sessionStatus } = event;
    return { wallTime, step, fileVersion, sessionStatus, values };
  } catch (error) {
    return { threw: (error as Error).constructor.name };
  }
}

test('the simple scalar event shortcut decodes every event, cut or damaged or not, as the general decoder does', () => {
  const steps = fc.oneof(
    fc.constantFrom(0, 1, 127, 128, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 40, -1),
    fc.integer({ min: 0, max: 2 ** 31 }),
  );
  const tag = fc.oneof(
    fc.constantFrom('', 'loss', 'é', 'x'.repeat(110), 'x'.repeat(127)),
    fc.string({ maxLength: 130 }),
  );
  const event = fc.record(
    {
      wallTime: fc.double(),
      step: steps,
      values: fc.array(
        fc.record(
          { tag, simpleValue: fc.float({ noNaN: true }), pluginName: fc.constantFrom('scalars', 'text') },
          { requiredKeys: ['tag'] },
        ),
        { minLength: 0, maxLength: 2 },
      ),
      fileVersion: fc.constant('brain.Event:2'),
      sessionStatus: fc.constantFrom(1, 2),
    },
    { requiredKeys: [] },
  );
  // Damage: cut the record short, or change one byte (a length, a key, a varint's last byte).
  const damage = fc.oneof(
    fc.constant(undefined),
    fc.record({ cut: fc.nat() }),
    fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  );
  fc.assert(
    fc.property(event, damage, (spec, change) => {
      let bytes = encodeEvent(spec);
      if (change && 'cut' in change) bytes = bytes.subarray(0, change.cut % (bytes.length + 1));
      else if (change && bytes.length > 0) {
        bytes = bytes.slice();
        bytes[change.at % bytes.length] = change.byte;
      }
      assert.deepEqual(decodedWith(decodeEventInto, bytes), decodedWith(decodeAnyEventInto, bytes));
    }),
    { numRuns: 20_000 },
  );
  // The shortcut's own shape, at its limits: a 2^28 - 1 step and the longest tag it takes.
  for (const [step, tagText] of [
    [2 ** 28 - 1, 'x'.repeat(110)],
    [0, ''],
  ] as const) {
    const bytes = encodeEvent({ wallTime: 1.5, step, values: [{ tag: tagText, simpleValue: 0.25 }] });
    assert.deepEqual(decodedWith(decodeEventInto, bytes), {
      wallTime: 1.5,
      step,
      fileVersion: undefined,
      sessionStatus: undefined,
      values: [{ tag: tagText, value: 0.25, pluginName: undefined, isTensor: false }],
    });
  }
});
