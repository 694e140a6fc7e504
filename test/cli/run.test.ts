import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { readRunRecord } from '../../src/engine/runStore/readRunRecord';
import type { RunRecord } from '../../src/engine/runStore/runRecord';
import { nodeFileSystem } from '../../src/node/nodeFileSystem';
import { isOwnerAlive, isProcessAlive } from '../../src/node/runStore/isOwnerAlive';
import { createWorkspace, runMlc, startMlc, waitFor, writeFiles } from '../support/mlcCli';

function workspace(files: Record<string, string>, prefix?: string): string {
  return createWorkspace(files, prefix);
}

interface RunJson {
  runId: string | null;
  status: string;
  directory?: string;
  stages: RunRecord['stages'];
}

async function runJson(
  cwd: string,
  args: string[] = [],
): Promise<{ code: number | null; json: RunJson; stderr: string }> {
  const result = await runMlc(cwd, ['run', '--json', ...args]);
  let json: RunJson;
  try {
    json = JSON.parse(result.stdout) as RunJson;
  } catch {
    throw new Error(`mlc run printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
  return { code: result.code, json, stderr: result.stderr };
}

const statusOf = (json: RunJson) => Object.fromEntries(json.stages.map((stage) => [stage.address, stage.status]));
const runDirectories = (root: string) =>
  existsSync(join(root, '.mlc/runs'))
    ? readdirSync(join(root, '.mlc/runs')).map((id) => join(root, '.mlc/runs', id))
    : [];
/**
 * A folder's entries and mtime in ns (which changes when an entry is made or removed), and the same
 * for its runs/ and their records. The caches below cache/ are left out: they settle on their own.
 */
function folderState(folder: string): Record<string, bigint> {
  const state: Record<string, bigint> = {};
  for (const name of ['.', ...readdirSync(folder, { recursive: true }).map(String)]) {
    if (!name.startsWith('cache')) state[name] = statSync(join(folder, name), { bigint: true }).mtimeNs;
  }
  return state;
}
const readRecord = (directory: string) => JSON.parse(readFileSync(join(directory, 'run.json'), 'utf8')) as RunRecord;
/** The single run folder of a workspace, once its run.json exists. */
const onlyRun = (root: string) => runDirectories(root).find((directory) => existsSync(join(directory, 'run.json')));

const trainScript = `
import json, os, sys
os.makedirs('logs', exist_ok=True)
with open('logs/train.csv', 'w') as f:
    f.write('epoch,loss\\n')
    for epoch in range(1, 4):
        f.write(f'{epoch},{1 / epoch}\\n')
with open('metrics.json', 'w') as f:
    json.dump({'eval': {'accuracy': 0.75}}, f)
with open('model.txt', 'w') as f:
    f.write(open('data/sorted.txt').read())
print('trained in', os.environ['MLC_STAGE'], os.environ['MLC_RUN_ID'])
`;

const pipeline = `stages:
  prepare:
    cmd: mkdir -p data && sort raw.txt > data/sorted.txt
    deps: [raw.txt]
    outs: [data/sorted.txt]
  train:
    cmd: python3 train.py
    deps: [train.py, data/sorted.txt]
    params: [train.lr]
    outs: [model.txt]
    metrics: [metrics.json]
    plots:
      - logs/train.csv:
          x: epoch
  side:
    cmd: cat other.txt > side.txt
    deps: [other.txt]
    outs: [side.txt]
`;

suite('mlc run', { concurrency: 3 }, () => {
  test('runs a pipeline end to end, then skips everything, then reruns exactly what an edit affects', async () => {
    const root = workspace({
      'mlc.yaml': pipeline,
      'raw.txt': 'b\na\n',
      'other.txt': 'x\n',
      'train.py': trainScript,
      'params.yaml': 'train:\n  lr: 0.1\n',
    });
    const first = await runJson(root);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(statusOf(first.json), { prepare: 'succeeded', train: 'succeeded', side: 'succeeded' });
    assert.equal(readFileSync(join(root, 'model.txt'), 'utf8'), 'a\nb\n');
    const record = readRecord(first.json.directory!);
    assert.equal(record.status, 'succeeded');
    assert.equal(record.owner.pid > 0, true);
    assert.deepEqual(record.params, { 'train.lr': 0.1 });
    assert.deepEqual(record.metrics, { 'eval.accuracy': 0.75 });
    assert.equal(record.seriesLatest.loss, 1 / 3);
    const train = record.stages.find((stage) => stage.address === 'train')!;
    assert.deepEqual(train.reasons, ['never run']);
    assert.equal(train.exitCode, 0);
    assert.match(train.outs!['model.txt']!, /^[0-9a-f]{32}$/);
    const log = readFileSync(join(first.json.directory!, train.logFile), 'utf8');
    assert.match(log, new RegExp(`^\\S+Z stdout trained in train ${first.json.runId}$`, 'm'));
    const metrics = readFileSync(join(first.json.directory!, 'metrics.jsonl'), 'utf8').trim().split('\n');
    assert.equal(metrics.length, 3);
    const events = readFileSync(join(first.json.directory!, 'events.jsonl'), 'utf8');
    assert.match(events, /"type":"stageStarted","stage":"train"/);

    const second = await runMlc(root, ['run']);
    assert.equal(second.code, 0);
    assert.equal(second.stdout.trim(), 'Everything is up to date.');
    assert.equal(runDirectories(root).length, 1, 'an up-to-date run records nothing');

    writeFileSync(join(root, 'other.txt'), 'y\n');
    const dry = await runMlc(root, ['run', '--dry-run']);
    assert.equal(dry.code, 0);
    assert.match(dry.stdout, /side: .*other\.txt/);
    assert.doesNotMatch(dry.stdout, /^\s+(prepare|train)/m);
    const third = await runJson(root);
    assert.equal(third.code, 0);
    assert.deepEqual(statusOf(third.json), { side: 'succeeded' });
    assert.equal(readFileSync(join(root, 'side.txt'), 'utf8'), 'y\n');

    // Each finished run is in the hash-chained audit log (the up-to-date one recorded nothing).
    const audit = readFileSync(join(root, '.mlc/audit.jsonl'), 'utf8').trim().split('\n');
    const entries = audit.map((line) => JSON.parse(line) as { type: string; data: { runId: string; status: string } });
    assert.deepEqual(
      entries.map((entry) => [entry.type, entry.data.runId, entry.data.status]),
      [
        ['run', first.json.runId, 'succeeded'],
        ['run', third.json.runId, 'succeeded'],
      ],
    );
    assert.equal((await runMlc(root, ['audit', 'verify'])).code, 0);
  });

  test('a failing stage records its exit code and skips its dependents; --keep-going runs the other branches', async () => {
    const files = {
      'mlc.yaml': `stages:
  broken:
    cmd: echo oops >&2; exit 3
    outs: [b.txt]
  after:
    cmd: cat b.txt > c.txt
    deps: [b.txt]
    outs: [c.txt]
  fine:
    cmd: echo ok > f.txt
    deps: [mlc.yaml]
    outs: [f.txt]
`,
    };
    const root = workspace(files);
    const failed = await runJson(root, ['-j', '1']);
    assert.equal(failed.code, 1);
    assert.equal(failed.json.status, 'failed');
    const broken = failed.json.stages.find((stage) => stage.address === 'broken')!;
    assert.equal(broken.exitCode, 3);
    assert.equal(broken.failure?.code, 'exitCode');
    assert.equal(failed.json.stages.find((stage) => stage.address === 'after')!.status, 'skipped');
    assert.equal(existsSync(join(root, 'f.txt')), false, 'without --keep-going nothing new starts');

    const kept = await runJson(root, ['-j', '1', '--keep-going']);
    assert.equal(kept.code, 1);
    assert.deepEqual(statusOf(kept.json), { broken: 'failed', after: 'skipped', fine: 'succeeded' });
    const after = kept.json.stages.find((stage) => stage.address === 'after')!;
    assert.equal(after.skipReason, 'upstream stage broken failed');
  });

  test('a timeout kills the stage and every process it started', async () => {
    const root = workspace({
      'mlc.yaml': `stages:
  slow:
    cmd: sleep 60 & echo $! > child.pid; wait
    deps: [mlc.yaml]
    timeout: 1s
`,
    });
    const started = Date.now();
    const result = await runJson(root);
    assert.equal(result.code, 1);
    assert.ok(Date.now() - started < 15_000);
    const slow = result.json.stages[0]!;
    assert.equal(slow.failure?.code, 'timedOut');
    assert.match(slow.failure!.message, /timed out after 1\.0 s/);
    const child = Number(readFileSync(join(root, 'child.pid'), 'utf8'));
    await waitFor(() => !isProcessAlive(child), 5000, `the child sleep ${child} to die`);
  });

  test('a declared out that the command did not write fails the stage and writes no lock entry', async () => {
    const root = workspace({
      'mlc.yaml': 'stages:\n  lazy:\n    cmd: "true"\n    deps: [mlc.yaml]\n    outs: [never.txt]\n',
    });
    const result = await runJson(root);
    assert.equal(result.code, 1);
    assert.equal(result.json.stages[0]!.failure?.message, 'out never.txt was not produced');
    assert.equal(existsSync(join(root, 'mlc.lock')), false);
    writeFiles(root, { 'mlc.yaml': 'stages:\n  needy:\n    cmd: touch ran\n    deps: [missing.txt]\n' });
    const missing = await runJson(root);
    assert.equal(missing.code, 1);
    assert.equal(missing.json.stages[0]!.failure?.code, 'depMissing');
    assert.equal(existsSync(join(root, 'ran')), false, 'a stage with a missing dep does not run');
  });

  test('bad usage, unknown stages and runners and broken pipelines exit 2 with a message; an unreachable runner fails its stage', async () => {
    const root = workspace({
      'mlc.yaml': pipeline,
      'raw.txt': '',
      'other.txt': '',
      'train.py': '',
      'params.yaml': 'train: {lr: 1}\n',
    });
    const unknown = await runMlc(root, ['run', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown stage 'nope'\. Stages: prepare, train, side/);
    const runner = await runMlc(root, ['run', '--runner', 'gpu-box']);
    assert.equal(runner.code, 2);
    assert.match(runner.stderr, /unknown runner 'gpu-box': declare it under runners: in mlc\.yaml/);
    const jobs = await runMlc(root, ['run', '-j', '0']);
    assert.equal(jobs.code, 2);
    const remote = workspace({
      // An ssh runner whose host cannot be reached (a closed port on loopback): the stage fails, nothing runs here.
      'mlc.yaml':
        'stages:\n  fit:\n    cmd: touch ran\n    runner: box\nrunners:\n  box: { type: ssh, host: 127.0.0.1, port: 1, connect_timeout: 5 }\n',
    });
    const unreachable = await runMlc(remote, ['run', '--json']);
    assert.equal(unreachable.code, 1);
    const failure = (JSON.parse(unreachable.stdout) as { stages: { failure?: { code: string } }[] }).stages[0]?.failure;
    assert.equal(failure?.code, 'hostUnreachable');
    assert.equal(existsSync(join(remote, 'ran')), false);
    assert.equal((await runMlc(remote, ['run', '--runner', 'local'])).code, 0);
    assert.equal(existsSync(join(remote, 'ran')), true);
    const broken = workspace({ 'mlc.yaml': 'stages:\n  a:\n    cmd: [unclosed\n' });
    const invalid = await runMlc(broken, ['run']);
    assert.equal(invalid.code, 2);
    assert.match(invalid.stderr, /mlc\.yaml:\d+:\d+: error/);
    assert.match(invalid.stderr, /the pipeline has \d+ error\(s\)/);
  });

  test('workspace paths, out names and env values with quotes, spaces and $() are never executed', async () => {
    // mlc passes its own values (run dir, stage address) through the environment and cwd, and
    // deletes outs through the file system: none of them goes through a shell.
    const root = workspace(
      {
        'mlc.yaml': `stages:
  hostile:
    cmd: printf '%s|%s' "$MLC_STAGE" "$MLC_RUN_DIR" > 'out $(touch pwned) "q" x.txt'
    deps: [mlc.yaml]
    outs: ['out $(touch pwned) "q" x.txt']
`,
      },
      "mlc-cli-$(touch pwned) 'q' `touch pwned` ",
    );
    writeFiles(root, { 'out $(touch pwned) "q" x.txt': 'stale' });
    const result = await runJson(root);
    assert.equal(result.code, 0, result.stderr);
    const written = readFileSync(join(root, 'out $(touch pwned) "q" x.txt'), 'utf8');
    assert.equal(written, `hostile|${result.json.directory}`);
    assert.deepEqual(
      readdirSync(root).filter((name) => name.includes('pwned') && !name.startsWith('out ')),
      [],
    );
    assert.equal(existsSync(join(root, 'pwned')), false);
    assert.equal(existsSync(join(root, '..', 'pwned')), false);
  });
});

suite('mlc run while it runs', { concurrency: 3 }, () => {
  const blockingPipeline = `stages:
  block:
    cmd: echo $$ > stage.pid; sleep 60 & echo $! > child.pid; wait; echo done > out.txt
    deps: [mlc.yaml]
    outs: [out.txt]
`;

  test('SIGINT cancels the run: the stage group is killed, the run is cancelled and nothing is locked as done', async () => {
    const root = workspace({ 'mlc.yaml': blockingPipeline });
    const mlc = startMlc(root, ['run']);
    const child = await waitFor(
      () => existsSync(join(root, 'child.pid')) && Number(readFileSync(join(root, 'child.pid'), 'utf8')),
      20_000,
      'the stage to start',
    );
    mlc.child.kill('SIGINT');
    const result = await mlc.done;
    assert.equal(result.code, 1, result.stderr);
    const record = readRecord(onlyRun(root)!);
    assert.equal(record.status, 'cancelled');
    assert.equal(record.stages[0]!.status, 'cancelled');
    assert.equal(existsSync(join(root, 'mlc.lock')), false);
    assert.equal(existsSync(join(root, '.mlc/lock')), false, 'the workspace lock is released');
    await waitFor(() => !isProcessAlive(child), 5000, 'the stage child to die');
  });

  test('a second run in the same workspace fails fast naming the run that holds it', async () => {
    const root = workspace({ 'mlc.yaml': blockingPipeline });
    const first = startMlc(root, ['run']);
    await waitFor(() => existsSync(join(root, 'child.pid')), 20_000, 'the first run to start its stage');
    const runId = readRecord(onlyRun(root)!).id;
    const second = await runMlc(root, ['run']);
    assert.equal(second.code, 1);
    assert.match(second.stderr, new RegExp(`another run \\(${runId}, pid \\d+ on .*\\) holds this workspace`));
    first.child.kill('SIGTERM');
    assert.equal((await first.done).code, 1);
  });

  test('concurrent runs never both run a stage: each either runs it, finds it up to date, or is refused by the lock', async () => {
    // Each run of the stage appends a line; a run that looked without the lock (none was there)
    // and found it changed must take the lock and look again before running it.
    const root = workspace({
      'mlc.yaml': `stages:\n  count:\n    cmd: echo ran >> runs.txt && sleep 0.3 && cp in.txt out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n`,
      'in.txt': 'a\n',
    });
    for (const round of [1, 2]) {
      writeFileSync(join(root, 'in.txt'), `${round}\n`);
      const results = await Promise.all(Array.from({ length: 4 }, () => runMlc(root, ['run'])));
      const ran = readFileSync(join(root, 'runs.txt'), 'utf8').trim().split('\n').length;
      assert.equal(ran, round, `the stage ran once in round ${round}`);
      for (const result of results) {
        const refused = result.code === 1 && /holds this workspace/.test(result.stderr);
        const upToDate = result.code === 0 && result.stdout.trim() === 'Everything is up to date.';
        const ranIt = result.code === 0 && /succeeded/.test(result.stdout);
        assert.ok(refused || upToDate || ranIt, `exit ${result.code}: ${result.stdout}${result.stderr}`);
      }
    }
  });

  test('an up-to-date run takes no workspace lock and records nothing', async () => {
    const root = workspace({
      'mlc.yaml': pipeline.replace(/ {2}train:[^]*(?= {2}side:)/, ''),
      'raw.txt': 'b\na\n',
      'other.txt': 'x\n',
    });
    assert.equal((await runMlc(root, ['run'])).code, 0);
    const before = folderState(join(root, '.mlc'));
    const again = await runMlc(root, ['run']);
    assert.equal(again.stdout.trim(), 'Everything is up to date.', again.stderr);
    // A lock made and removed leaves no file behind but changes the folder's mtime (ns here).
    assert.deepEqual(folderState(join(root, '.mlc')), before);
  });

  test('an up-to-date answer is kept and given again until anything it read changes', async () => {
    const root = workspace({
      'mlc.yaml': `stages:
  copy:
    cmd: cp in.txt out.txt
    deps: [in.txt]
    params: [lr]
    outs: [out.txt]
`,
      'in.txt': 'abc\n',
      'params.yaml': 'lr: 0.1\n',
    });
    const verdictFile = join(root, '.mlc/cache/up-to-date.json');
    // Marks the kept answer, so that its being given (and not recomputed) shows on stdout.
    const markKeptAnswer = () => {
      const kept = JSON.parse(readFileSync(verdictFile, 'utf8')) as { output: string };
      writeFileSync(verdictFile, JSON.stringify({ ...kept, output: 'kept answer' }));
    };
    // Files younger than two seconds may still change unseen within their timestamp tick: no
    // answer resting on them is kept (the racy rule).
    const settle = () => new Promise((resolve) => setTimeout(resolve, 2100));
    const runs = async () => statusOf((await runJson(root)).json).copy;

    assert.equal(await runs(), 'succeeded');
    await settle();
    assert.equal((await runMlc(root, ['run'])).stdout.trim(), 'Everything is up to date.');
    markKeptAnswer();
    assert.equal((await runMlc(root, ['run', '-j', '1'])).stdout.trim(), 'kept answer');
    // Another question (--dry-run, --force, a target, --json) is answered in full; the last
    // up-to-date answer is the one kept.
    assert.match((await runMlc(root, ['run', '--dry-run'])).stdout, /Everything is up to date/);
    assert.equal((await runMlc(root, ['run', 'copy'])).stdout.trim(), 'Everything is up to date.');
    assert.equal((await runJson(root)).json.status, 'up-to-date');
    assert.equal((await runMlc(root, ['run'])).stdout.trim(), 'Everything is up to date.');
    assert.equal(statusOf((await runJson(root, ['--force'])).json).copy, 'succeeded');

    // A rewrite of the dep of the same size. (One that also puts its mtime back is caught by the
    // ctime, which both the kept answer and the hash cache hold: upToDateVerdict.test.ts,
    // statusSeesSameSizeRewrites.test.ts.)
    await settle();
    await runMlc(root, ['run']);
    markKeptAnswer();
    writeFileSync(join(root, 'in.txt'), 'xyz\n');
    assert.equal(await runs(), 'succeeded');
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'xyz\n');

    for (const change of [
      () => rmSync(join(root, 'out.txt')),
      () => writeFileSync(join(root, 'params.yaml'), 'lr: 0.2\n'),
      () =>
        writeFileSync(
          join(root, 'mlc.lock'),
          readFileSync(join(root, 'mlc.lock'), 'utf8').replace(/md5: \w+/, 'md5: 0'),
        ),
    ]) {
      await settle();
      assert.equal((await runMlc(root, ['run'])).stdout.trim(), 'Everything is up to date.');
      markKeptAnswer();
      change();
      assert.equal(await runs(), 'succeeded', String(change));
    }

    await settle();
    await runMlc(root, ['run']);
    markKeptAnswer();
    // A second pipeline file appears: its stage has never run.
    writeFiles(root, { 'sub/mlc.yaml': 'stages:\n  more:\n    cmd: echo more > more.txt\n    outs: [more.txt]\n' });
    const withSub = await runJson(root);
    assert.deepEqual(statusOf(withSub.json), { 'sub/mlc.yaml:more': 'succeeded' }, withSub.stderr);

    await settle();
    await runMlc(root, ['run']);
    markKeptAnswer();
    // A run holding the workspace (here a lock left by a live process: this test's own).
    writeFileSync(
      join(root, '.mlc/lock'),
      JSON.stringify({ runId: 'other', pid: process.pid, hostname: hostname(), acquiredAt: Date.now() }),
    );
    const locked = await runMlc(root, ['run']);
    assert.equal(locked.code, 1, locked.stdout);
    assert.match(locked.stderr, /another run \(other/);
    rmSync(join(root, '.mlc/lock'));
    assert.equal((await runMlc(root, ['run'])).stdout.trim(), 'kept answer');
  });

  test('kill -9 of mlc leaves a record that reads as interrupted, and the next run rewrites it so', async () => {
    const root = workspace({ 'mlc.yaml': blockingPipeline });
    const mlc = startMlc(root, ['run']);
    await waitFor(() => existsSync(join(root, 'stage.pid')), 20_000, 'the stage to start');
    const directory = onlyRun(root)!;
    await waitFor(
      () => readRecord(directory).stages[0]!.status === 'running',
      5000,
      'run.json to show the stage running',
    );
    mlc.child.kill('SIGKILL');
    await mlc.done;
    // The orphaned stage keeps running after kill -9 (nothing is left to kill it); stop it here.
    const stageGroup = Number(readFileSync(join(root, 'stage.pid'), 'utf8'));
    process.kill(-stageGroup, 'SIGKILL');
    const shown = readRunRecord(nodeFileSystem, directory, isOwnerAlive).value!;
    assert.equal(shown.status, 'interrupted');
    assert.equal(readRecord(directory).status, 'running', 'the file itself is untouched until the next run');

    writeFiles(root, { 'mlc.yaml': blockingPipeline.replace('sleep 60 & echo $! > child.pid; wait; ', '') });
    const next = await runJson(root);
    assert.equal(next.code, 0, next.stderr);
    const rewritten = readRecord(directory);
    assert.equal(rewritten.status, 'interrupted');
    assert.equal(rewritten.stages[0]!.status, 'cancelled');
  });

  test('a run of many stages (spawned through the process worker) succeeds, and SIGINT still kills its stages', async () => {
    const quick = Array.from(
      { length: 60 },
      (_, index) => `  s${index}:\n    cmd: ": > o/s${index}"\n    deps: [mlc.yaml]\n    outs: [o/s${index}]\n`,
    );
    const root = workspace({ 'mlc.yaml': `stages:\n${quick.join('')}`, 'o/.keep': '' });
    const result = await runJson(root, ['-j', '2']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.json.stages.filter((stage) => stage.status === 'succeeded').length, 60);
    assert.equal((await runMlc(root, ['run'])).stdout.trim(), 'Everything is up to date.');

    const blocking = `  block:\n    cmd: sleep 60 & echo $! > child.pid; wait\n    deps: [mlc.yaml]\n`;
    writeFiles(root, { 'mlc.yaml': `stages:\n${blocking}${quick.join('')}` });
    const mlc = startMlc(root, ['run', '-j', '2'], {}, { detached: true });
    const child = await waitFor(
      () => existsSync(join(root, 'child.pid')) && Number(readFileSync(join(root, 'child.pid'), 'utf8')),
      20_000,
      'the blocking stage',
    );
    // As Ctrl-C in a terminal: SIGINT to mlc's whole process group (its process worker included).
    process.kill(-mlc.child.pid!, 'SIGINT');
    const cancelled = await mlc.done;
    assert.equal(cancelled.code, 1, cancelled.stderr);
    assert.match(cancelled.stdout, /cancelled/);
    await waitFor(() => !isProcessAlive(child), 5000, 'the blocking stage child to die');
  });

  test('metrics from a plot file are in the run record while the stage still runs', async () => {
    const root = workspace({
      'mlc.yaml': `stages:
  train:
    cmd: printf 'step,loss\\n1,0.5\\n' > train.csv; while [ ! -e release ]; do sleep 0.05; done
    deps: [mlc.yaml]
    plots: [train.csv]
`,
    });
    const mlc = startMlc(root, ['run']);
    try {
      const directory = await waitFor(() => onlyRun(root), 20_000, 'the run record');
      const line = await waitFor(
        () => {
          const path = join(directory, 'metrics.jsonl');
          return existsSync(path) && readFileSync(path, 'utf8').trim();
        },
        10_000,
        'the live metric point',
      );
      assert.deepEqual(JSON.parse(line), { ...JSON.parse(line), stage: 'train', name: 'loss', step: 1, value: 0.5 });
      assert.equal(existsSync(join(root, 'release')), false, 'the stage is still waiting, so the point arrived live');
      await waitFor(
        () => readRecord(directory).stages[0]!.status === 'running',
        5000,
        'run.json to show the stage running',
      );
    } finally {
      writeFileSync(join(root, 'release'), '');
    }
    const result = await mlc.done;
    assert.equal(result.code, 0, result.stderr);
  });
});
