import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The variable that points the corpus tests at a copy of the fixtures elsewhere. */
const FIXTURES_VARIABLE = 'MLC_REAL_WORLD_FIXTURES';

/**
 * The read-only real-world fixtures: `$MLC_REAL_WORLD_FIXTURES`, else `../shared/fixtures/real-world`
 * beside the clone.
 */
export const realWorldFixturesRoot = process.env[FIXTURES_VARIABLE]
  ? resolve(process.env[FIXTURES_VARIABLE])
  : resolve(__dirname, '../../../shared/fixtures/real-world');

const isCi = () => Boolean(process.env.CI) && process.env.CI !== 'false';

/**
 * Call first in a test that reads the corpus: when the corpus is missing outside CI, marks the test
 * skipped with one line saying where it was looked for and how to point at a copy, and returns true
 * (the test then returns). In CI (CI=true) a missing corpus is a failure, never a skip.
 */
export function skipWithoutRealWorldFixtures(context: { skip(message?: string): void }): boolean {
  if (existsSync(realWorldFixturesRoot) || isCi()) return false;
  context.skip(
    `Real-world fixtures not found at ${realWorldFixturesRoot}; put ../shared beside the clone or set ${FIXTURES_VARIABLE}=<copy of shared/fixtures/real-world>`,
  );
  return true;
}

/** The product design document in ../shared, which some tests check the code against. */
export const productDocument = resolve(__dirname, '../../../shared/design/PRODUCT.md');

/** Like skipWithoutRealWorldFixtures, for a test that reads ../shared/design/PRODUCT.md. */
export function skipWithoutProductDocument(context: { skip(message?: string): void }): boolean {
  if (existsSync(productDocument) || isCi()) return false;
  context.skip(`${productDocument} not found; put ../shared beside the clone to check the code against it`);
  return true;
}

/** The corpus folder; throws with where it was looked for when it is missing. */
export function realWorldFixtures(): string {
  if (!existsSync(realWorldFixturesRoot)) {
    throw new Error(
      `Real-world fixtures missing at ${realWorldFixturesRoot}; CI must provide ../shared beside the clone (or ${FIXTURES_VARIABLE}).`,
    );
  }
  return realWorldFixturesRoot;
}

/** Every real dvc.lock file, sorted. */
export function realDvcLockFiles(): string[] {
  const output = execFileSync('find', [realWorldFixtures(), '-name', 'dvc.lock'], { encoding: 'utf8' });
  return output.trim().split('\n').sort();
}
