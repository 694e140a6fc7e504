/**
 * A seeded pseudo-random generator (mulberry32) so that every benchmark generates the same data
 * on every machine and every run: figures stay comparable and a slow case can be reproduced.
 * Not for cryptography.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both included). */
  int(min: number, max: number): number;
  /** Uniform in [min, max). */
  float(min: number, max: number): number;
  /** Standard normal (Box-Muller), scaled: mean + sd * N(0, 1). */
  normal(mean?: number, sd?: number): number;
  pick<T>(items: readonly T[]): T;
  /** Shuffles in place (Fisher-Yates) and returns the same array. */
  shuffle<T>(items: T[]): T[];
  /** Fills a buffer with random bytes, four at a time; fast enough for hundreds of MiB. */
  fill(bytes: Uint8Array): Uint8Array;
  /** A new buffer of `length` random bytes. */
  bytes(length: number): Uint8Array;
  /** Lowercase hex string of `length` characters (ids, fake hashes). */
  hex(length: number): string;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = () => nextUint32() / 4294967296;

  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    float: (min, max) => min + next() * (max - min),
    normal: (mean = 0, sd = 1) => {
      const u = 1 - next();
      const v = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    pick: (items) => {
      if (items.length === 0) throw new Error('pick needs a non-empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    shuffle: (items) => {
      for (let index = items.length - 1; index > 0; index -= 1) {
        const other = Math.floor(next() * (index + 1));
        [items[index], items[other]] = [items[other] as (typeof items)[number], items[index] as (typeof items)[number]];
      }
      return items;
    },
    fill: (bytes) => {
      // Four bytes per draw through a Uint32Array view, which needs a 4-byte-aligned offset;
      // the tail (and an unaligned buffer) is filled byte by byte. Little-endian machines only
      // (all that Node supports in practice) give the same bytes for the same seed.
      const isAligned = bytes.byteOffset % 4 === 0;
      const whole = isAligned ? bytes.length - (bytes.length % 4) : 0;
      if (whole > 0) {
        const words = new Uint32Array(bytes.buffer, bytes.byteOffset, whole / 4);
        for (let index = 0; index < words.length; index += 1) words[index] = nextUint32();
      }
      for (let index = whole; index < bytes.length; index += 1) bytes[index] = nextUint32() & 0xff;
      return bytes;
    },
    bytes: (length) => random.fill(new Uint8Array(length)),
    hex: (length) => {
      let text = '';
      while (text.length < length) text += nextUint32().toString(16).padStart(8, '0');
      return text.slice(0, length);
    },
  };
  return random;
}

/** A stable 32-bit seed from a name (FNV-1a), so each benchmark gets its own default seed. */
export function seedFromName(name: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < name.length; index += 1) {
    hash ^= name.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
