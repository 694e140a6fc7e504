import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isProcessAlive } from '../../src/node/runStore/isOwnerAlive';
import { createWorkspace, runMlc, runMlcSync, startMlc, waitFor } from '../support/mlcCli';
import { iterations, printFigure, seededRandom, withSeed } from './support/soak';

/**
 * kill -9 of the whole `mlc run` process group at random moments while it writes run records,
 * metrics (a plot it tails into metrics.jsonl), summary metrics, the lock and its caches, with
 * two stages in parallel. After each kill: every store loads, every stage that status calls
 * up-to-date has its complete outs, the newest record claims no success that did not happen and
 * shows `interrupted`, no stage process outlives the kill, and every few kills a full run works.
 */

/** Each stage writes its out (and a plot row) one line at a time, so a kill can land mid-write. */
const stageScript = `
const fs = require('fs');
const [name, steps, out] = process.argv.slice(2);
fs.appendFileSync('pids.log', process.pid + '\\n');
let step = 0;
fs.writeFileSync(out, '');
const tick = () => {
  if (step === Number(steps)) {
    fs.appendFileSync(out, name + ' done\\n');
    if (name === 'evaluate') fs.writeFileSync('scores.json', JSON.stringify({ acc: 0.75, loss: 0.25 }));
    return;
  }
  fs.appendFileSync(out, name + ' ' + step + '\\n');
  if (name === 'train') fs.appendFileSync('train.csv', (step === 0 ? 'step,loss\\n' : '') + step + ',' + 1 / (step + 1) + '\\n');
  step++;
  setTimeout(tick, 40);
};
if (name === 'train') fs.writeFileSync('train.csv', '');
tick();
`;

const stages = { prepare: 3, train: 6, evaluate: 2, side: 5 } as const;
const outOf = { prepare: 'data.txt', train: 'model.txt', evaluate: 'eval.txt', side: 'side.txt' } as const;
type StageName = keyof typeof stages;

const pipeline = `stages:
  prepare:
    cmd: node stage.js prepare ${stages.prepare} data.txt
    deps: [stage.js]
    outs: [data.txt]
  train:
    cmd: node stage.js train ${stages.train} model.txt
    deps: [stage.js, data.txt]
    outs: [model.txt]
    plots: [train.csv]
  evaluate:
    cmd: node stage.js evaluate ${stages.evaluate} eval.txt
    deps: [stage.js, model.txt]
    outs: [eval.txt]
    metrics:
      - scores.json:
          cache: false
  side:
    cmd: node stage.js side ${stages.side} side.txt
    deps: [stage.js]
    outs: [side.txt]
`;

/** What a stage's out holds when the stage finished. */
function completeOut(name: StageName): string {
  return `${Array.from({ length: stages[name] }, (_, step) => `${name} ${step}\n`).join('')}${name} done\n`;
}

interface RunJson {
  readonly id: string;
  readonly status: string;
  readonly startedAt: number;
  readonly stages: ReadonlyArray<{ readonly name: string; readonly status: string }>;
}

function readRecords(root: string): RunJson[] {
  const folder = join(root, '.mlc', 'runs');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => existsSync(join(folder, name, 'run.json')))
    .map((name) => {
      const text = readFileSync(join(folder, name, 'run.json'), 'utf8');
      try {
        return JSON.parse(text) as RunJson;
      } catch (error) {
        // run.json is written atomically: a kill never leaves half of one.
        throw new Error(`${name}/run.json is not JSON after a kill: ${String(error)}\n${text.slice(0, 300)}`);
      }
    });
}

/** The checks below, with what the workspace held when one failed. */
function assertStoresConsistent(root: string, context: string): { interrupted: boolean } {
  try {
    return checkStores(root, context);
  } catch (error) {
    const lock = existsSync(join(root, 'dvc.lock')) ? readFileSync(join(root, 'dvc.lock'), 'utf8') : '(no dvc.lock)';
    const records = readRecords(root)
      .sort((left, right) => left.startedAt - right.startedAt)
      .map((run) => `${run.id} ${run.status}: ${run.stages.map((stage) => `${stage.name}=${stage.status}`).join(' ')}`);
    if (error instanceof Error) error.message += `\ndvc.lock:\n${lock}\nrecords:\n${records.join('\n')}`;
    throw error;
  }
}

function checkStores(root: string, context: string): { interrupted: boolean } {
  const runs = runMlcSync(root, ['runs', '--json', '--source', 'mlc']);
  assert.equal(runs.code, 0, `${context}: mlc runs --json: ${runs.stderr}`);
  const listed = (JSON.parse(runs.stdout) as { runs: Array<{ id: string; status: string }> }).runs;
  const status = runMlcSync(root, ['status', '--json']);
  assert.ok(status.code === 0 || status.code === 1, `${context}: mlc status --json: ${status.code} ${status.stderr}`);
  const states = (JSON.parse(status.stdout) as { stages: Array<{ name: string; state: string }> }).stages;
  assert.equal(states.length, Object.keys(stages).length, `${context}: ${status.stdout}`);
  // Up to date means the lock agrees with the outs: never a cut-off out.
  for (const { name, state } of states) {
    if (state !== 'up-to-date') continue;
    const out = join(root, outOf[name as StageName]);
    assert.equal(readFileSync(out, 'utf8'), completeOut(name as StageName), `${context}: ${name} is up-to-date`);
  }
  for (const run of listed)
    assert.notEqual(run.status, 'running', `${context}: run ${run.id} of a dead mlc is running`);
  const newest = readRecords(root).sort((left, right) => right.startedAt - left.startedAt)[0];
  if (!newest) return { interrupted: false };
  // The newest run's successes happened: their outs are complete and status agrees.
  for (const stage of newest.stages) {
    if (stage.status !== 'succeeded') continue;
    const name = stage.name as StageName;
    assert.equal(readFileSync(join(root, outOf[name]), 'utf8'), completeOut(name), `${context}: ${name} succeeded`);
    assert.equal(states.find((state) => state.name === name)?.state, 'up-to-date', `${context}: ${name} succeeded`);
  }
  const shown = listed.find((run) => run.id === newest.id);
  assert.ok(shown, `${context}: the newest run ${newest.id} is listed`);
  // A record its dead owner left as running reads as interrupted.
  if (newest.status === 'running' || newest.status === 'queued')
    assert.equal(shown.status, 'interrupted', `${context}: run ${newest.id} shows ${shown.status}`);
  return { interrupted: shown.status === 'interrupted' };
}

test(
  'kill -9 of mlc run at random moments loses no successful stage and leaves every store readable',
  { timeout: iterations(600_000, 3_600_000) },
  async () => {
    await withSeed('crash safety', async (seed) => {
      const random = seededRandom(seed);
      const root = createWorkspace({
        '.git/HEAD': 'ref: refs/heads/main\n',
        'dvc.yaml': pipeline,
        'stage.js': stageScript,
      });
      const kills = iterations(24, 150);
      let interrupted = 0;
      let reapedByNextRun = 0;
      let fullRuns = 0;
      const seenPids = new Set<number>();
      for (let iteration = 1; iteration <= kills; iteration++) {
        const context = `kill ${iteration} of ${kills}`;
        const args = ['run', '-j', '2', ...(random() < 0.7 ? ['--force'] : [])];
        const mlc = startMlc(root, args, {}, { detached: true });
        await new Promise((resolveWait) => setTimeout(resolveWait, random() * 1800));
        try {
          process.kill(-mlc.child.pid!, 'SIGKILL');
        } catch {
          // It had already ended.
        }
        await mlc.done;
        const pids = existsSync(join(root, 'pids.log'))
          ? readFileSync(join(root, 'pids.log'), 'utf8').split('\n').filter(Boolean).map(Number)
          : [];
        pids.forEach((pid) => seenPids.add(pid));
        // The watchdog ends the stages (SIGTERM, then SIGKILL after 2 s). A kill in the instant between
        // a spawn and its group reaching the watchdog is left to the next run, which kills it first.
        try {
          await waitFor(() => !pids.some(isProcessAlive), 15_000, 'the stages to die with mlc');
        } catch {
          const next = await runMlc(root, ['run']);
          assert.equal(next.code, 0, `${context}: the run after an orphan: ${next.stderr}`);
          await waitFor(
            () => !pids.some(isProcessAlive),
            15_000,
            `${context}: the orphans of the killed run to be killed`,
          );
          reapedByNextRun++;
        }
        if (assertStoresConsistent(root, context).interrupted) interrupted++;
        if (iteration % 8 === 0 || iteration === kills) {
          const next = await runMlc(root, ['run', '-j', '2']);
          assert.equal(next.code, 0, `${context}: the next run: ${next.stderr}`);
          fullRuns++;
          const status = JSON.parse(runMlcSync(root, ['status', '--json']).stdout) as {
            stages: Array<{ state: string }>;
          };
          assert.ok(
            status.stages.every((stage) => stage.state === 'up-to-date'),
            JSON.stringify(status),
          );
          assertStoresConsistent(root, `${context}, after a full run`);
        }
      }
      await waitFor(
        () => ![...seenPids].some(isProcessAlive),
        15_000,
        'no stage process of any killed run to be alive',
      );
      printFigure(
        `crash safety: ${kills} kill -9 iterations survived (${interrupted} left an interrupted run, ${reapedByNextRun} orphan(s) reaped by the next run, ${seenPids.size} stage processes, ${fullRuns} full runs after kills)`,
      );
    });
  },
);
