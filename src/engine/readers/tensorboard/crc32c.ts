/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) as TFRecord uses it, table-driven with
 * slicing-by-8: eight 256-entry tables let the loop consume 8 bytes per iteration, which runs
 * several hundred MB/s in V8, far above TensorBoard's own Python loader. The tables and the running
 * CRC are signed 32-bit integers: a Uint32Array entry above 2^31 is not a small integer to V8, so
 * every lookup of one became a double to convert back before the next XOR.
 */
const TABLES: Int32Array = buildTables();

function buildTables(): Int32Array {
  const tables = new Int32Array(8 * 256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    tables[byte] = crc;
  }
  for (let byte = 0; byte < 256; byte++) {
    for (let slice = 1; slice < 8; slice++) {
      const previous = tables[(slice - 1) * 256 + byte]!;
      tables[slice * 256 + byte] = (previous >>> 8) ^ tables[previous & 0xff]!;
    }
  }
  return tables;
}

/** The CRC-32C of `data[start, end)`. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  const t = TABLES;
  let crc = -1;
  let index = start;
  const fastEnd = end - ((end - start) & 7);
  while (index < fastEnd) {
    const low = crc ^ (data[index]! | (data[index + 1]! << 8) | (data[index + 2]! << 16) | (data[index + 3]! << 24));
    const high = data[index + 4]! | (data[index + 5]! << 8) | (data[index + 6]! << 16) | (data[index + 7]! << 24);
    crc =
      t[0x700 + (low & 0xff)]! ^
      t[0x600 + ((low >>> 8) & 0xff)]! ^
      t[0x500 + ((low >>> 16) & 0xff)]! ^
      t[0x400 + (low >>> 24)]! ^
      t[0x300 + (high & 0xff)]! ^
      t[0x200 + ((high >>> 8) & 0xff)]! ^
      t[0x100 + ((high >>> 16) & 0xff)]! ^
      t[high >>> 24]!;
    index += 8;
  }
  while (index < end) crc = t[(crc ^ data[index++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** LevelDB's mask, applied so that a CRC of data that itself holds CRCs stays well distributed. */
export function maskCrc(crc: number): number {
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

export function maskedCrc32c(data: Uint8Array, start = 0, end = data.length): number {
  return maskCrc(crc32c(data, start, end));
}

/** The masked CRC-32C of exactly 8 bytes at `offset` (a TFRecord length): one slicing-by-8 step. */
export function maskedCrc32cOf8(data: Uint8Array, offset: number): number {
  const t = TABLES;
  const low = ~(data[offset]! | (data[offset + 1]! << 8) | (data[offset + 2]! << 16) | (data[offset + 3]! << 24));
  const high = data[offset + 4]! | (data[offset + 5]! << 8) | (data[offset + 6]! << 16) | (data[offset + 7]! << 24);
  const crc =
    ~(
      t[0x700 + (low & 0xff)]! ^
      t[0x600 + ((low >>> 8) & 0xff)]! ^
      t[0x500 + ((low >>> 16) & 0xff)]! ^
      t[0x400 + (low >>> 24)]! ^
      t[0x300 + (high & 0xff)]! ^
      t[0x200 + ((high >>> 8) & 0xff)]! ^
      t[0x100 + ((high >>> 16) & 0xff)]! ^
      t[high >>> 24]!
    ) >>> 0;
  return maskCrc(crc);
}
