import * as assert from 'node:assert/strict';

/**
 * Waits until `read` returns a value `accept` takes, or fails with the last value seen. The
 * extension's views follow the file watcher and debounced reloads, so tests wait for outcomes
 * rather than sleeping a fixed time.
 */
export async function eventually<T>(
  read: () => T | PromiseLike<T>,
  accept: (value: T) => boolean,
  timeoutMs = 30_000,
  pollMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value)) {
    if (Date.now() > deadline) assert.fail(`timed out; last value: ${JSON.stringify(value, undefined, 2)}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    value = await read();
  }
  return value;
}
