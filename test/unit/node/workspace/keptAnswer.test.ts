import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, suite, test } from 'node:test';
import type { FileSystem } from '../../../../src/engine/ports';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';
import { changeFingerprint } from '../../../../src/node/statWithoutStats';
import { answerOf, type Fact } from '../../../../src/node/workspace/workspaceFacts';
import {
  KEPT_ANSWER_FILES,
  type KeptAnswerCommand,
  keepAnswer,
  keptAnswer,
  witnessFileSystem,
} from '../../../../src/node/workspace/keptAnswer';

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mlc-kept-answer-'));
  folders.push(root);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

const question = { code: 'build 1', key: 'run []' };

/**
 * What an up-to-date answer reads, through the witness: the dep's stat and text, the out's stat,
 * a params file looked for and not found, the data folder's listing; and it keeps the answer as
 * if it had started 10 s from now (the files just written count as settled, not racy).
 */
function answer(
  root: string,
  options: {
    facts?: readonly Fact[];
    read?: (fs: FileSystem) => void;
    command?: KeptAnswerCommand;
    output?: string;
    exitCode?: number;
  } = {},
) {
  const witnessed = witnessFileSystem(nodeFileSystem, join(root, '.mlc/cache'));
  const { fs } = witnessed;
  fs.stat(join(root, 'data/in.txt'));
  fs.readText(join(root, 'data/in.txt'));
  fs.stat(join(root, 'out.txt'));
  fs.stat(join(root, 'params.yaml'));
  fs.readDirectory(join(root, 'data'));
  options.read?.(fs);
  return keepAnswer(root, options.command ?? 'run', {
    ...question,
    workspaceFacts: options.facts ?? [],
    witnessed,
    startedMs: Date.now() + 10_000,
    output: options.output ?? 'Everything is up to date.',
    exitCode: options.exitCode ?? 0,
  });
}

/** The output of the kept answer to `asked` (`mlc run`'s by default), or undefined. */
const keptOutput = (
  root: string,
  asked: { code: string | undefined; key: string } = question,
  command: KeptAnswerCommand = 'run',
) => keptAnswer(nodeFileSystem, root, command, asked)?.output;

const files = { 'data/in.txt': 'abc\n', 'out.txt': 'ABC\n' };

suite('keptAnswer', () => {
  test('a kept answer is given again while nothing it read changed', () => {
    const root = workspace(files);
    assert.equal(answer(root), true);
    assert.equal(keptOutput(root), 'Everything is up to date.');
    const kept = JSON.parse(readFileSync(join(root, KEPT_ANSWER_FILES.run), 'utf8')) as {
      folders: string[];
      names: string[][];
    };
    const paths = kept.folders.flatMap((folder, index) => kept.names[index]!.map((name) => `${folder}${name}`));
    // Smallest folders first: what changes most often (pipeline, lock, params) is checked first.
    const sizes = kept.names.map((names) => names.length);
    assert.deepEqual(
      sizes,
      [...sizes].sort((left, right) => left - right),
    );
    assert.deepEqual(paths.sort(), [
      join(root, 'data'),
      join(root, 'data/in.txt'),
      join(root, 'out.txt'),
      join(root, 'params.yaml'),
    ]);
  });

  test('another question or another build is answered in full', () => {
    const root = workspace(files);
    answer(root);
    assert.equal(keptOutput(root, { ...question, key: 'run ["train"]' }), undefined);
    assert.equal(keptOutput(root, { ...question, code: 'build 2' }), undefined);
    assert.equal(keptOutput(root, { ...question, code: undefined }), undefined);
  });

  test('a rewrite of the same size with its mtime put back is seen (ctime)', () => {
    const root = workspace(files);
    const path = join(root, 'data/in.txt');
    // A whole second, which utimes can put back exactly.
    const settled = 1_700_000_000;
    utimesSync(path, settled, settled);
    answer(root);
    writeFileSync(path, 'xyz\n');
    utimesSync(path, settled, settled);
    assert.equal(statSync(path, { bigint: true }).mtimeNs, BigInt(settled) * 1_000_000_000n);
    assert.equal(keptOutput(root), undefined);
  });

  test('a file read that is gone, or one found missing that now exists, ends the answer', () => {
    const gone = workspace(files);
    answer(gone);
    rmSync(join(gone, 'out.txt'));
    assert.equal(keptOutput(gone), undefined);

    const created = workspace(files);
    answer(created);
    writeFileSync(join(created, 'params.yaml'), 'lr: 0.1\n');
    assert.equal(keptOutput(created), undefined);
  });

  test('a file added to a folder that was listed ends the answer', () => {
    const root = workspace(files);
    answer(root);
    writeFileSync(join(root, 'data/new.txt'), 'new\n');
    assert.equal(keptOutput(root), undefined);
  });

  test('while a run holds the workspace lock, nothing is answered from the kept answer', () => {
    const root = workspace(files);
    answer(root);
    writeFileSync(join(root, '.mlc/lock'), '{}');
    assert.equal(keptOutput(root), undefined);
    rmSync(join(root, '.mlc/lock'));
    assert.equal(keptOutput(root), 'Everything is up to date.');
  });

  test('the workspace facts must hold too', () => {
    const root = workspace({ ...files, 'mlc.yaml': 'stages: {}\n' });
    const pipeline = join(root, 'mlc.yaml');
    const fact: Fact = { kind: 'content', path: pipeline, fingerprint: changeFingerprint(pipeline)!.text };
    answer(root, { facts: [fact] });
    assert.equal(keptOutput(root), 'Everything is up to date.');
    writeFileSync(pipeline, 'stages: {} \n');
    assert.equal(keptOutput(root), undefined);
  });

  test('facts proven by a path the answer fingerprints are not kept twice; the others are, and still checked', () => {
    const root = workspace({ ...files, 'other/x.txt': 'x\n' });
    const factOf = (kind: 'listing' | 'stat', path: string): Fact => ({
      kind,
      path,
      answer: answerOf(nodeFileSystem, kind, path),
    });
    const inFile = join(root, 'data/in.txt');
    const facts: Fact[] = [
      factOf('listing', join(root, 'data')),
      { kind: 'content', path: inFile, fingerprint: changeFingerprint(inFile)!.text },
      // Not read by the answer, and read but absent: kept and checked.
      factOf('listing', join(root, 'other')),
      factOf('stat', join(root, 'params.yaml')),
    ];
    answer(root, { facts });
    const kept = JSON.parse(readFileSync(join(root, KEPT_ANSWER_FILES.run), 'utf8')) as { workspaceFacts: Fact[] };
    assert.deepEqual(
      kept.workspaceFacts.map((fact) => `${fact.kind} ${fact.path}`),
      [`listing ${join(root, 'other')}`, `stat ${join(root, 'params.yaml')}`],
    );
    assert.equal(keptOutput(root), 'Everything is up to date.');
    writeFileSync(join(root, 'other/y.txt'), 'y\n');
    assert.equal(keptOutput(root), undefined);
  });

  test('a path of any form is kept as it was asked: one without a folder still ends the answer when it changes', () => {
    // Read only by its relative name (the answer's other reads are absolute paths).
    const root = workspace({ ...files, 'extra.txt': 'x\n' });
    const cwd = process.cwd();
    process.chdir(root);
    try {
      assert.equal(answer(root, { read: (fs) => fs.readText('extra.txt') }), true);
      assert.equal(keptOutput(root), 'Everything is up to date.');
      writeFileSync(join(root, 'extra.txt'), 'CHANGED\n');
      assert.equal(keptOutput(root), undefined);
    } finally {
      process.chdir(cwd);
    }
  });

  test('nothing is kept when a file read changed within the racy window of the answer', () => {
    const root = workspace(files);
    const witnessed = witnessFileSystem(nodeFileSystem, join(root, '.mlc/cache'));
    witnessed.fs.readText(join(root, 'data/in.txt'));
    const kept = keepAnswer(root, 'run', {
      ...question,
      workspaceFacts: [],
      witnessed,
      // The file was written just now, and the answer started now: it may still change unseen.
      startedMs: Date.now(),
      output: 'Everything is up to date.',
      exitCode: 0,
    });
    assert.equal(kept, false);
    assert.equal(keptOutput(root), undefined);
  });

  test('nothing is kept when a path was seen both ways, a file read is gone since, or the answer wrote a file', () => {
    const both = workspace(files);
    assert.equal(
      answer(both, {
        read: (fs) => {
          fs.stat(join(both, 'late.txt'));
          writeFileSync(join(both, 'late.txt'), 'now\n');
          fs.stat(join(both, 'late.txt'));
        },
      }),
      false,
    );

    const gone = workspace(files);
    assert.equal(answer(gone, { read: () => rmSync(join(gone, 'out.txt')) }), false);

    const wrote = workspace(files);
    assert.equal(answer(wrote, { read: (fs) => fs.writeFileAtomic(join(wrote, 'other.txt'), 'x') }), false);
    // The caches only save work: writing them keeps the answer.
    const memo = workspace(files);
    assert.equal(answer(memo, { read: (fs) => fs.writeFileAtomic(join(memo, '.mlc/cache/hashes.tsv'), 'x') }), true);
  });

  test('an answer that read more than 100,000 paths is not kept, and the witness stops noting', () => {
    const root = workspace(files);
    assert.equal(
      answer(root, {
        read: (fs) => {
          for (let index = 0; index <= 100_000; index++) fs.stat(join(root, `absent-${index}`));
        },
      }),
      false,
    );
    const witnessed = witnessFileSystem(nodeFileSystem, join(root, '.mlc/cache'));
    for (let index = 0; index <= 100_000; index++) witnessed.fs.stat(join(root, `absent-${index}`));
    assert.equal(witnessed.overflowed(), true);
    assert.equal(witnessed.seen.size, 0);
  });

  test('after stop() nothing is noted: a run that goes on to run stages leaves no answer behind', () => {
    const root = workspace(files);
    const witnessed = witnessFileSystem(nodeFileSystem, join(root, '.mlc/cache'));
    witnessed.stop();
    witnessed.fs.stat(join(root, 'out.txt'));
    witnessed.fs.writeFileAtomic(join(root, 'out.txt'), 'changed\n');
    assert.equal(witnessed.seen.size, 0);
    assert.equal(witnessed.wrote(), false);
  });

  test('the witness forwards the asynchronous atomic write only where the file system has one', async () => {
    const root = workspace(files);
    const withAsync = witnessFileSystem(nodeFileSystem, join(root, '.mlc/cache'));
    assert.equal(typeof withAsync.fs.writeFileAtomicAsync, 'function');
    await withAsync.fs.writeFileAtomicAsync!(join(root, 'async.txt'), 'a');
    assert.equal(readFileSync(join(root, 'async.txt'), 'utf8'), 'a');
    assert.equal(withAsync.wrote(), true);
    const { writeFileAtomicAsync: _omitted, ...syncOnly } = nodeFileSystem;
    assert.equal(witnessFileSystem(syncOnly, root).fs.writeFileAtomicAsync, undefined);
  });

  test("each command keeps its own answer, with its exit code, and one's is never the other's", () => {
    const root = workspace(files);
    answer(root, { command: 'status', output: '{"stages":[]}', exitCode: 1 });
    assert.equal(keptOutput(root), undefined);
    assert.deepEqual(keptAnswer(nodeFileSystem, root, 'status', question), { output: '{"stages":[]}', exitCode: 1 });
    answer(root);
    assert.equal(keptOutput(root), 'Everything is up to date.');
    assert.equal(keptOutput(root, question, 'status'), '{"stages":[]}');
    writeFileSync(join(root, 'data/in.txt'), 'changed\n');
    assert.equal(keptOutput(root), undefined);
    assert.equal(keptOutput(root, question, 'status'), undefined);
  });

  test('a torn, edited or hostile kept answer file is no answer', () => {
    const root = workspace(files);
    answer(root);
    const path = join(root, KEPT_ANSWER_FILES.run);
    const text = readFileSync(path, 'utf8');
    const kept = JSON.parse(text) as Record<string, unknown>;
    const variants = [
      text.slice(0, text.length >> 1),
      '',
      'null',
      '[]',
      JSON.stringify({ ...kept, format: 99 }),
      JSON.stringify({ ...kept, folders: (kept.folders as string[]).slice(1) }),
      JSON.stringify({ ...kept, names: (kept.names as string[][]).map(() => 'all') }),
      JSON.stringify({ ...kept, names: (kept.names as string[][]).map((names) => names.slice(1)) }),
      JSON.stringify({ ...kept, digests: 7 }),
      JSON.stringify({ ...kept, digests: (kept.digests as string[]).slice(1) }),
      JSON.stringify({ ...kept, digests: (kept.digests as string[]).map(() => 'ffffffffffffffffffffffffffffffff') }),
      JSON.stringify({ ...kept, output: 42 }),
      JSON.stringify({ ...kept, exitCode: '0' }),
      JSON.stringify({ ...kept, exitCode: -1 }),
      JSON.stringify({ ...kept, exitCode: 1.5 }),
      JSON.stringify({ ...kept, workspaceFacts: [{ kind: 'eval', path: '/' }] }),
      JSON.stringify({ ...kept, workspaceFacts: [{ kind: 'stat', path: 7, answer: 'null' }] }),
    ];
    for (const variant of variants) {
      writeFileSync(path, variant);
      assert.equal(keptOutput(root), undefined, variant.slice(0, 80));
    }
  });
});

suite('changeFingerprint', () => {
  test('reads as statSync with bigint does, and says undefined where nothing is', () => {
    const root = workspace(files);
    const path = join(root, 'data/in.txt');
    const stats = statSync(path, { bigint: true });
    const fingerprint = changeFingerprint(path)!;
    assert.equal(fingerprint.text, `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`);
    const newestNs = stats.mtimeNs > stats.ctimeNs ? stats.mtimeNs : stats.ctimeNs;
    assert.ok(Math.abs(fingerprint.newestMs - Number(newestNs) / 1e6) < 1);
    assert.equal(changeFingerprint(join(root, 'absent')), undefined);
    assert.equal(changeFingerprint(join(root, 'data/in.txt/under-a-file')), undefined);
    assert.equal(changeFingerprint(`${path}\0`), undefined);
  });
});
