import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPlotTailer } from '../../../../src/engine/runStore/plotFileTailer';
import { createMemoryFileSystem, withFrozenStats } from '../../../support/memoryFileSystem';

const clock = { now: () => 42 };
const simple = (points: ReturnType<ReturnType<typeof createPlotTailer>['poll']>) =>
  points.map((point) => `${point.name}@${point.step}=${point.value}`);

test('a CSV plot is read incrementally, with the epoch column as x and a torn last line left for later', () => {
  const fs = createMemoryFileSystem({ '/ws/train.csv': 'epoch,loss,acc\n1,0.9,0.5\n2,0.8' });
  const tailer = createPlotTailer(fs, '/ws/train.csv', undefined, clock);
  assert.deepEqual(simple(tailer.poll()), ['loss@1=0.9', 'acc@1=0.5']);
  fs.appendFile('/ws/train.csv', ',0.6\n3,nan,0.7\n');
  assert.deepEqual(simple(tailer.poll()), ['loss@2=0.8', 'acc@2=0.6', 'loss@3=NaN', 'acc@3=0.7']);
  assert.deepEqual(tailer.poll(), []);
});

test('at the end a final line without newline is taken, and the row index is x when there is no step column', () => {
  const fs = createMemoryFileSystem({ '/ws/m.tsv': 'loss\tname\n0.5\tx\n0.4\ty' });
  const tailer = createPlotTailer(fs, '/ws/m.tsv', undefined, clock);
  assert.deepEqual(simple(tailer.poll()), ['loss@0=0.5']);
  assert.deepEqual(simple(tailer.poll(true)), ['loss@1=0.4']);
});

test('header: false names the columns 0, 1, … and the x prop picks the x column', () => {
  const fs = createMemoryFileSystem({ '/ws/roc.csv': '0.1,0.7\n0.2,0.9\n' });
  const tailer = createPlotTailer(fs, '/ws/roc.csv', { header: false, x: '0' }, clock);
  assert.deepEqual(simple(tailer.poll()), ['1@0.1=0.7', '1@0.2=0.9']);
});

test('JSONL rows use step and a timestamp column (seconds become ms); bad lines are skipped', () => {
  const fs = createMemoryFileSystem({
    '/ws/m.jsonl': '{"step": 1, "loss": 2, "timestamp": 1700000000}\nnot json\n{"step": 2, "loss": 1}\n',
  });
  const points = createPlotTailer(fs, '/ws/m.jsonl', undefined, clock).poll();
  assert.deepEqual(
    points.map((point) => [point.step, point.value, point.timestamp]),
    [
      [1, 2, 1_700_000_000_000],
      [2, 1, 42],
    ],
  );
});

test('a JSON list is re-read whole when it changes and only new rows are returned', () => {
  const fs = createMemoryFileSystem({ '/ws/p.json': '[{"epoch": 1, "loss": 3}]' });
  const tailer = createPlotTailer(fs, '/ws/p.json', undefined, clock);
  assert.deepEqual(simple(tailer.poll()), ['loss@1=3']);
  fs.writeFileAtomic('/ws/p.json', '{"train": [{"epoch": 1, "loss": 3}, {"epoch": 2, "loss": 2}]}');
  assert.deepEqual(simple(tailer.poll()), ['loss@2=2']);
  fs.writeFileAtomic('/ws/p.json', '[{"epoch": 1, "lo');
  assert.deepEqual(tailer.poll(), [], 'a half-written JSON file waits for the next poll');
});

// The racy rule of the JSON poll (issue 17): a JSON plot is rewritten whole, so an equal stat
// skips a poll only when it could vouch for the rows read (statCanVouch); ctime is compared too.

/** One row, then two: the same size (the first padded with spaces), as a same-size rewrite needs. */
const oneRow = '[{"epoch": 1, "loss": 3}]                         ';
const twoRows = '[{"epoch": 1, "loss": 3}, {"epoch": 2, "loss": 2}]';

function frozenJsonPlot() {
  const disk = withFrozenStats(createMemoryFileSystem({ '/ws/p.json': oneRow }));
  return { disk, written: disk.fs.stat('/ws/p.json')!.mtimeMs };
}

test('a JSON plot rewritten with the same size within the same timestamp tick as its read is read again', () => {
  assert.equal(oneRow.length, twoRows.length);
  const { disk, written } = frozenJsonPlot();
  const tailer = createPlotTailer(disk.fs, '/ws/p.json', undefined, { now: () => written + 500 });
  assert.deepEqual(simple(tailer.poll()), ['loss@1=3']);
  disk.fs.writeFileAtomic('/ws/p.json', twoRows);
  assert.deepEqual(simple(tailer.poll()), ['loss@2=2']);
});

test('a JSON plot rewritten with the same size and its mtime put back is read again, though its stat was settled (ctime moved)', () => {
  const { disk, written } = frozenJsonPlot();
  const tailer = createPlotTailer(disk.fs, '/ws/p.json', undefined, { now: () => written + 60_000 });
  assert.deepEqual(simple(tailer.poll()), ['loss@1=3']);
  disk.fs.writeFileAtomic('/ws/p.json', twoRows);
  disk.moveCtime('/ws/p.json');
  assert.deepEqual(simple(tailer.poll()), ['loss@2=2']);
});

test('an old untouched JSON plot is not read again; one read within the racy window is, without repeating rows', () => {
  const { disk, written } = frozenJsonPlot();
  const settled = createPlotTailer(disk.fs, '/ws/p.json', undefined, { now: () => written + 60_000 });
  settled.poll();
  assert.deepEqual(settled.poll(), []);
  assert.deepEqual(settled.poll(), []);
  assert.equal(disk.reads(), 1);
  const racy = createPlotTailer(disk.fs, '/ws/p.json', undefined, { now: () => written + 500 });
  assert.deepEqual(simple(racy.poll()), ['loss@1=3']);
  assert.deepEqual(racy.poll(), [], 'read again, its rows already taken');
  assert.equal(disk.reads(), 3);
});

test('a rewritten (shrunk) file is read from the start without repeating rows, and persist files skip old rows', () => {
  const fs = createMemoryFileSystem({ '/ws/a.csv': 'step,v\n1,1\n2,2\n3,3\n' });
  const tailer = createPlotTailer(fs, '/ws/a.csv', undefined, clock);
  assert.equal(tailer.poll().length, 3);
  fs.writeFileAtomic('/ws/a.csv', 'step,v\n1,1\n2,2\n3,3\n4,4\n'.slice(0, 20));
  fs.writeFileAtomic('/ws/a.csv', 'step,v\n1,1\n');
  fs.appendFile('/ws/a.csv', '2,2\n3,3\n4,4\n');
  assert.deepEqual(simple(tailer.poll()), ['v@4=4']);

  const persisted = createPlotTailer(fs, '/ws/a.csv', undefined, clock, { skipExisting: true });
  fs.appendFile('/ws/a.csv', '5,5\n');
  assert.deepEqual(simple(persisted.poll()), ['v@5=5']);
});

test('a row with a missing middle cell is skipped, not read under the wrong names, and reported once', () => {
  const fs = createMemoryFileSystem({ '/ws/train.csv': 'epoch,loss,acc\n1,0.9,0.5\n2,0.6\n3,0.7,0.8\n' });
  const tailer = createPlotTailer(fs, '/ws/train.csv', undefined, clock);
  assert.deepEqual(simple(tailer.poll()), ['loss@1=0.9', 'acc@1=0.5', 'loss@3=0.7', 'acc@3=0.8']);
  const problems = tailer.takeProblems();
  assert.deepEqual(
    problems.map((problem) => [problem.code, problem.severity, problem.line]),
    [['seriesRowSkipped', 'warning', 3]],
  );
  assert.match(
    problems[0]!.message,
    /^1 row\(s\) do not have as many fields as the header .*this one has 2, the header has 3/,
  );
  assert.deepEqual(tailer.takeProblems(), []);
  // Rewritten (shorter) and read again from the start: the same bad row is not reported twice.
  fs.writeFileAtomic('/ws/train.csv', 'epoch,loss,acc\n1,0.9,0.5\n2,0.6\n');
  assert.deepEqual(tailer.poll(), []);
  assert.deepEqual(tailer.takeProblems(), []);
});
