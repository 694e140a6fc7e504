import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { test } from 'node:test';
import { createRunIndexClient } from '../../src/node/runIndex/createRunIndexClient';
import { typescriptWorkerBootstrap } from '../support/runIndexWorkerBootstrap';
import { createWorkspace, runMlc, runMlcSync, startMlc, waitFor } from '../support/mlcCli';
import { isSoak, iterations, printFigure } from './support/soak';

/**
 * Concurrency and load: runs started together from different folders of one workspace, the run
 * index (in its worker thread, as the extension uses it) reading while the CLI writes, 10,000 runs
 * and a large metric history, 50 stages in parallel. Memory is measured (the peak resident size of
 * the mlc process, VmHWM) and bounded; the host's event loop delay is measured and printed.
 */

const timeout = { timeout: iterations(600_000, 3_600_000) };

/** The peak resident size of a process in MiB, polled from /proc until it ends (Linux). */
function trackPeakMemory(child: ChildProcess): () => number {
  let peakKib = 0;
  const poll = () => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKib = Math.max(peakKib, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // It ended.
    }
  };
  const timer = setInterval(poll, 20);
  child.once('exit', () => clearInterval(timer));
  poll();
  return () => peakKib / 1024;
}

const slowPipeline = 'stages:\n  slow:\n    cmd: node -e "setTimeout(() => {}, 2000)"\n';

test(
  'mlc run started at once from three folders of one workspace: one runs, the others fail fast naming it',
  timeout,
  async () => {
    const root = createWorkspace({
      '.git/HEAD': 'ref: refs/heads/main\n',
      // Each folder has stages of its own (mlc run in a folder runs the stages in and below it).
      'dvc.yaml': slowPipeline,
      'sub/dvc.yaml': slowPipeline,
      'sub/deeper/dvc.yaml': slowPipeline,
    });
    const rounds = iterations(3, 20);
    for (let round = 0; round < rounds; round++) {
      const runs = [root, join(root, 'sub'), join(root, 'sub/deeper')].map((cwd) => startMlc(cwd, ['run', '--force']));
      const results = await Promise.all(runs.map((run) => run.done));
      const winners = results.filter((result) => result.code === 0);
      assert.equal(winners.length, 1, results.map((result) => `${result.code}: ${result.stderr}`).join('\n---\n'));
      const winnerPid = runs[results.indexOf(winners[0]!)]!.child.pid;
      for (const loser of results.filter((result) => result.code !== 0)) {
        assert.equal(loser.code, 1, loser.stderr);
        assert.match(loser.stderr, new RegExp(`another run \\(\\S+, pid ${winnerPid} on `), loser.stderr);
      }
    }
    printFigure(`concurrency: ${rounds} rounds of 3 simultaneous mlc run from 3 folders, exactly one ran each time`);
  },
);

test('50 stages in parallel all succeed and are all recorded in the lock', timeout, async () => {
  const stageCount = 50;
  const stages = Array.from(
    { length: stageCount },
    (_, index) =>
      `  s${index}:\n    cmd: node -e "require('fs').writeFileSync('out/${index}.txt', 'x'.repeat(${index * 100}))"\n    outs: [out/${index}.txt]\n`,
  );
  const root = createWorkspace({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'dvc.yaml': `stages:\n${stages.join('')}`,
    'out/.keep': '',
  });
  const mlc = startMlc(root, ['run', '-j', String(stageCount)]);
  const peak = trackPeakMemory(mlc.child);
  const result = await mlc.done;
  assert.equal(result.code, 0, result.stderr);
  const status = JSON.parse(runMlcSync(root, ['status', '--json']).stdout) as { stages: Array<{ state: string }> };
  assert.equal(status.stages.filter((stage) => stage.state === 'up-to-date').length, stageCount);
  const lock = readFileSync(join(root, 'dvc.lock'), 'utf8');
  for (let index = 0; index < stageCount; index++) assert.match(lock, new RegExp(`^  s${index}:$`, 'm'));
  assert.ok(peak() < 512, `mlc run -j 50 peaked at ${peak()} MiB`);
  printFigure(
    `load: ${stageCount} stages with -j ${stageCount}: all succeeded and locked, mlc peak RSS ${peak().toFixed(0)} MiB`,
  );
});

/** Writes `count` finished run records (copies of a real one with their own ids and times). */
function writeRunRecords(root: string, template: Record<string, unknown>, count: number): void {
  for (let index = 0; index < count; index++) {
    const started = 1_700_000_000_000 + index * 60_000;
    const date = new Date(started).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const id = `${date}-${index.toString(16).padStart(6, '0')}`;
    const folder = join(root, '.mlc', 'runs', id);
    mkdirSync(folder, { recursive: true });
    const params = { lr: index / count, layers: index % 7 };
    const record = { ...template, id, params, startedAt: started, endedAt: started + 1000, updatedAt: started + 1000 };
    writeFileSync(join(folder, 'run.json'), JSON.stringify(record));
  }
}

test('10,000 runs list, and a large metric history reads, in bounded memory', timeout, async () => {
  const root = createWorkspace({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'dvc.yaml': 'stages:\n  train:\n    cmd: node -e ""\n',
  });
  const first = await runMlc(root, ['run']);
  assert.equal(first.code, 0, first.stderr);
  const runs = JSON.parse(runMlcSync(root, ['runs', '--json']).stdout) as { runs: Array<{ id: string }> };
  const realId = runs.runs[0]!.id;
  const template = JSON.parse(readFileSync(join(root, '.mlc', 'runs', realId, 'run.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const runCount = 10_000;
  writeRunRecords(root, template, runCount - 1);

  const listing = startMlc(root, ['runs', '--json', '--limit', String(runCount + 10)]);
  const listingPeak = trackPeakMemory(listing.child);
  const listed = await listing.done;
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal((JSON.parse(listed.stdout) as { runs: unknown[] }).runs.length, runCount);
  assert.ok(listingPeak() < 1024, `mlc runs over ${runCount} runs peaked at ${listingPeak()} MiB`);

  // The metric history of the real run: appended in chunks, as a long training loop writes it.
  const historyBytes = (isSoak ? 1024 : 32) * 1024 * 1024;
  const metricsPath = join(root, '.mlc', 'runs', realId, 'metrics.jsonl');
  const descriptor = openSync(metricsPath, 'a');
  let written = 0;
  let step = 0;
  while (written < historyBytes) {
    const lines: string[] = [];
    for (let line = 0; line < 10_000; line++, step++) {
      lines.push(
        `{"name":"train/loss","step":${step},"value":${1 / (step + 1)},"timestamp":${1_700_000_000_000 + step}}`,
      );
    }
    const chunk = `${lines.join('\n')}\n`;
    writeSync(descriptor, chunk);
    written += chunk.length;
  }
  closeSync(descriptor);
  const metrics = startMlc(root, ['metrics', realId, '--json', '--max-points', '500']);
  const metricsPeak = trackPeakMemory(metrics.child);
  const shown = await metrics.done;
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /train\/loss/);
  // Bounded: the history is read in chunks and downsampled, never held whole as text.
  const bound = isSoak ? 1536 : 768;
  assert.ok(metricsPeak() < bound, `mlc metrics over ${written} bytes peaked at ${metricsPeak()} MiB`);
  printFigure(
    `load: ${runCount} runs listed (mlc runs peak RSS ${listingPeak().toFixed(0)} MiB); a ${(written / 1048576).toFixed(0)} MiB metric history of ${step} points read (mlc metrics peak RSS ${metricsPeak().toFixed(0)} MiB, bound ${bound} MiB)`,
  );
});

test(
  'the run index reads while mlc run writes: every answer is whole, the host stays responsive',
  timeout,
  async () => {
    const steps = iterations(300, 3000);
    const root = createWorkspace({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'dvc.yaml': 'stages:\n  train:\n    cmd: node train.js\n    plots: [train.csv]\n',
      'train.js': [
        "const fs = require('fs');",
        "fs.writeFileSync('train.csv', 'step,loss\\n');",
        'let step = 0;',
        `const timer = setInterval(() => { for (let i = 0; i < 20; i++, step++) fs.appendFileSync('train.csv', step + ',' + 1 / (step + 1) + '\\n'); if (step >= ${steps * 20}) clearInterval(timer); }, 10);`,
        '',
      ].join('\n'),
    });
    const bootstrapFolder = createWorkspace({});
    const client = createRunIndexClient({
      workspaceRoot: root,
      mode: 'worker',
      cachePath: false,
      workerPath: typescriptWorkerBootstrap(bootstrapFolder),
      execArgv: [],
    });
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let queries = 0;
    let seriesPoints = 0;
    try {
      const mlc = startMlc(root, ['run']);
      let ended = false;
      void mlc.done.then(() => (ended = true));
      await waitFor(() => client.listRuns().then(() => true), 30_000, 'the index');
      while (!ended) {
        const { runs } = await client.listRuns(undefined, { revalidate: true });
        queries++;
        for (const run of runs.filter((candidate) => candidate.source === 'mlc')) {
          assert.ok(['running', 'succeeded', 'queued'].includes(run.status), run.status);
          const series = await client.series(run.id, undefined, 500);
          queries++;
          for (const values of Object.values(series.series)) {
            seriesPoints = Math.max(seriesPoints, values.values.length);
            assert.ok(Array.from(values.values).every((value) => Number.isFinite(value)));
          }
        }
      }
      const result = await mlc.done;
      assert.equal(result.code, 0, result.stderr);
      const { runs } = await client.listRuns(undefined, { revalidate: true });
      assert.equal(runs.find((run) => run.source === 'mlc')?.status, 'succeeded');
    } finally {
      delay.disable();
      client.dispose();
    }
    assert.ok(queries > 5, `only ${queries} queries while the run wrote`);
    const p99 = delay.percentile(99) / 1e6;
    printFigure(
      `load: run index worker answered ${queries} queries while mlc run wrote ${steps * 20} plot rows; host event loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`,
    );
  },
);
