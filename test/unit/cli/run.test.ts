import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { command } from '../../../src/cli/commands/run';
import { recordingCliContext } from '../../support/recordingCliContext';
import { makeTempDir } from '../../support/tempDir';

const root = makeTempDir('mlc-run-cli-');

/**
 * Runs `mlc run` in-process with a context that records what it prints, and records anything
 * written to process.stderr behind the context's back meanwhile.
 */
async function runInProcess(cwd: string, args: string[]) {
  const { context, printed, diagnostics } = recordingCliContext(cwd);
  const straysOnStderr: string[] = [];
  const realWrite = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    straysOnStderr.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await command.run(args, context);
    return { code, printed, diagnostics, straysOnStderr };
  } finally {
    process.stderr.write = realWrite;
  }
}

function project(name: string, pipeline: string): string {
  const folder = join(root, name);
  mkdirSync(join(folder, '.mlc'), { recursive: true });
  writeFileSync(join(folder, 'dvc.yaml'), pipeline);
  return folder;
}

test('mlc run writes its progress and stage output through the context, never to process.stderr itself', async () => {
  const folder = project('runs', ['stages:', '  greet:', '    cmd: echo hello from greet', ''].join('\n'));
  const result = await runInProcess(folder, ['-j', '1']);
  assert.equal(result.code, 0, result.diagnostics.join('\n'));
  assert.deepEqual(result.straysOnStderr, []);
  assert.match(result.diagnostics[0]!, /^Run \S+: 1 stage\(s\) \(record: \.mlc[/\\]runs[/\\]\S+\)$/);
  assert.ok(result.diagnostics.includes('▶ greet'), result.diagnostics.join('\n'));
  assert.ok(result.diagnostics.includes('[greet] hello from greet'), result.diagnostics.join('\n'));
  assert.match(result.printed.join('\n'), /succeeded/);
});

test('mlc run reports an invalid pipeline and its problems through the context', async () => {
  const folder = project('invalid', ['stages:', '  broken:', '    deps: [a.txt]', ''].join('\n'));
  const result = await runInProcess(folder, []);
  assert.equal(result.code, 2);
  assert.deepEqual(result.straysOnStderr, []);
  assert.match(result.diagnostics.at(-1)!, /^mlc run: the pipeline has \d+ error\(s\); fix them first/);
  assert.match(result.diagnostics[0]!, /^dvc\.yaml:\d+:\d+: error/);
});
