import assert from 'node:assert/strict';
import type { Problem } from '../../../src/engine/problems';

/**
 * The reliability tier runs twice as long in `npm run test:soak` (MLC_SOAK=1): the same suites
 * with more iterations, bigger stores and more inputs. `MLC_RELIABILITY_SEED` replays a failure
 * (every suite prints its seed).
 */
export const isSoak = process.env.MLC_SOAK === '1';

/** `normal` iterations in `npm test`, `soak` in `npm run test:soak`. */
export function iterations(normal: number, soak: number): number {
  return isSoak ? soak : normal;
}

/** The seed of this process's random choices: MLC_RELIABILITY_SEED to replay one, else random. */
export const reliabilitySeed = process.env.MLC_RELIABILITY_SEED
  ? Number(process.env.MLC_RELIABILITY_SEED)
  : Math.floor(Math.random() * 0x7fffffff);

/** mulberry32: a small seeded PRNG, so a failing sequence of choices replays from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `body` (synchronous or not), and on failure says which seed replays it. */
export function withSeed<T>(suite: string, body: (seed: number) => T): T {
  const explain = (error: unknown): never => {
    const replay = `${suite} failed with seed ${reliabilitySeed}; replay with MLC_RELIABILITY_SEED=${reliabilitySeed}`;
    if (error instanceof Error) error.message = `${replay}\n${error.message}`;
    throw error;
  };
  try {
    const result = body(reliabilitySeed);
    return (result instanceof Promise ? result.catch(explain) : result) as T;
  } catch (error) {
    return explain(error);
  }
}

/**
 * A figure for the closing note, printed on its own line as `reliability figure: …` (stdout, so it
 * shows in `npm test`'s output whatever the reporter).
 */
export function printFigure(text: string): void {
  process.stdout.write(`reliability figure: ${text}\n`);
}

const severities = new Set(['error', 'warning', 'info']);

/** Every rejection is located (file, 1-based line and column) and explained (code, message). */
export function assertLocatedProblems(problems: readonly Problem[], where: string): void {
  for (const problem of problems) {
    const shown = JSON.stringify(problem).slice(0, 300);
    assert.ok(
      typeof problem.file === 'string' && problem.file.length > 0,
      `${where}: a problem without a file: ${shown}`,
    );
    assert.ok(Number.isInteger(problem.line) && problem.line >= 1, `${where}: a problem without a line: ${shown}`);
    assert.ok(
      Number.isInteger(problem.column) && problem.column >= 1,
      `${where}: a problem without a column: ${shown}`,
    );
    assert.ok(severities.has(problem.severity), `${where}: a problem with a bad severity: ${shown}`);
    assert.ok(/^[a-z][A-Za-z0-9]*$/.test(problem.code), `${where}: a problem without a code: ${shown}`);
    assert.ok(problem.message.trim().length > 10, `${where}: a problem without an explanation: ${shown}`);
  }
}
