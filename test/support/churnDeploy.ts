import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import type { MlcResult } from './mlcCli';

/** The deploy tests' helpers for a copy of examples/churn and its real model server (src/serve.py). */

/** One GET of a server's health URL: status 0 when nothing answers. */
export function fetchHealth(url: string): Promise<{ status: number; body: { model?: string } }> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: 5_000 }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { model?: string } }),
      );
    });
    request.on('error', () => resolve({ status: 0, body: {} }));
    request.on('timeout', () => request.destroy());
  });
}

export function expectCode(result: MlcResult, code: number, what: string): MlcResult {
  assert.equal(result.code, code, `${what}: exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  return result;
}

/** Trains a model src/serve.py refuses (a renamed feature): same weights and metrics, broken at load. */
export function breakTraining(root: string, broken: boolean): void {
  const path = join(root, 'mlc.yaml');
  const rename = ` && python3 -c "import json; p='models/model.json'; m=json.load(open(p)); m['features'][0]='renamed'; json.dump(m, open(p, 'w'))"`;
  const text = readFileSync(path, 'utf8').replace(rename, '');
  writeFileSync(
    path,
    broken ? text.replace('--epoch-delay ${train.epoch_delay}', `--epoch-delay \${train.epoch_delay}${rename}`) : text,
  );
}

/** SIGKILLs each process group: the servers a failing deploy test may have left running. */
export function killServerGroups(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
