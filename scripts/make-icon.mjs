// Draws media/icon.png (128x128, the Marketplace icon) with Node alone: a rounded square with a
// three-stage pipeline (prepare -> train -> evaluate) whose nodes climb like a metric curve.
// Run `node scripts/make-icon.mjs` after changing the drawing; the PNG is committed.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SAMPLES = 4; // per axis: 16 samples a pixel for smooth edges

const background = (y) => mix([0x1d, 0x4e, 0x89], [0x12, 0x2b, 0x4f], y / SIZE);
const nodes = [
  [30, 90],
  [64, 58],
  [98, 34],
];
const NODE_RADIUS = 12;
const LINE_HALF_WIDTH = 4.5;

function mix(a, b, t) {
  return a.map((value, index) => value + (b[index] - value) * t);
}

function insideRoundedSquare(x, y) {
  const radius = 24;
  const cx = Math.min(Math.max(x, radius), SIZE - radius);
  const cy = Math.min(Math.max(y, radius), SIZE - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;
}

function distanceToSegment(x, y, [ax, ay], [bx, by]) {
  const t = Math.max(0, Math.min(1, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
  return Math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay)));
}

/** The colour and opacity at one sample point. */
function sample(x, y) {
  if (!insideRoundedSquare(x, y)) return [0, 0, 0, 0];
  for (const [index, [nx, ny]] of nodes.entries()) {
    const distance = Math.hypot(x - nx, y - ny);
    if (distance <= NODE_RADIUS - 3.5)
      return index === nodes.length - 1 ? [0x4c, 0xe0, 0xb3, 255] : [...background(y), 255];
    if (distance <= NODE_RADIUS) return [255, 255, 255, 255];
  }
  for (let index = 0; index + 1 < nodes.length; index++)
    if (distanceToSegment(x, y, nodes[index], nodes[index + 1]) <= LINE_HALF_WIDTH) return [255, 255, 255, 255];
  return [...background(y), 255];
}

const rows = [];
for (let y = 0; y < SIZE; y++) {
  const row = Buffer.alloc(1 + SIZE * 4); // filter byte 0, then RGBA
  for (let x = 0; x < SIZE; x++) {
    const sum = [0, 0, 0, 0];
    for (let sy = 0; sy < SAMPLES; sy++)
      for (let sx = 0; sx < SAMPLES; sx++) {
        const [r, g, b, a] = sample(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES);
        sum[0] += r * a;
        sum[1] += g * a;
        sum[2] += b * a;
        sum[3] += a;
      }
    const alpha = sum[3] / SAMPLES ** 2;
    for (let channel = 0; channel < 3; channel++)
      row[1 + x * 4 + channel] = sum[3] === 0 ? 0 : Math.round(sum[channel] / sum[3]);
    row[1 + x * 4 + 3] = Math.round(alpha);
  }
  rows.push(row);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let crc = 0xffffffff;
  for (const byte of buffer) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('../media/icon.png', import.meta.url), png);
