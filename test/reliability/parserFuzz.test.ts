import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { after, test } from 'node:test';
import { stringify as stringifyToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { loadPipeline } from '../../src/engine/pipeline/loadPipeline';
import { parseParamsText } from '../../src/engine/params/parseParamsText';
import { parseLockFile } from '../../src/engine/lock/parseLockFile';
import type { Problem } from '../../src/engine/problems';
import { createMlcRunReader } from '../../src/engine/runStore/mlcRunReader';
import { createMlflowFileStoreReader } from '../../src/engine/readers/mlflow/mlflowFileStoreReader';
import { createDvcliveReader } from '../../src/engine/readers/dvclive/dvcliveReader';
import { createTensorboardReader } from '../../src/engine/readers/tensorboard/tensorboardReader';
import { createCsvLoggerReader } from '../../src/engine/readers/csvLogger/csvLoggerReader';
import type { RunReader, RunStoreLocation } from '../../src/engine/runs/model';
import { createMlflowSqliteReader } from '../../src/node/readers/mlflowSqliteReader';
import { createMemoryFileSystem } from '../support/memoryFileSystem';
import { createWorkspace, runMlcSync } from '../support/mlcCli';
import { realWorldFixtures, skipWithoutRealWorldFixtures } from '../support/realWorldFixtures';
import { generatedText, mutateBytes, mutateText } from './support/mutate';
import { assertLocatedProblems, iterations, printFigure, seededRandom, withSeed } from './support/soak';

/**
 * Every parser mlc has, fed thousands of real files from the corpus mutated at random (and texts
 * made of hostile tokens): none throws, none hangs (each test's timeout is the hang guard) and every
 * problem it reports says where (file, line, column) and why. The count per parser is printed as a
 * figure for the closing note.
 */

const inputsPerParser = new Map<string, number>();
const counted = (parser: string) => inputsPerParser.set(parser, (inputsPerParser.get(parser) ?? 0) + 1);
after(() => {
  for (const [parser, count] of inputsPerParser) printFigure(`fuzz ${parser}: ${count} inputs`);
});

const textIterations = iterations(1500, 10_000);
const storeIterations = iterations(1000, 5000);
const sqliteIterations = iterations(60, 300);
const hangGuard = { timeout: iterations(240_000, 3_600_000) };
const longAgo = { now: () => 2_000_000_000_000 };

function corpusFiles(pattern: (path: string) => boolean, maxBytes = 2 * 1024 * 1024): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && pattern(path) && statSync(path).size <= maxBytes) found.push(path);
    }
  };
  walk(realWorldFixtures());
  return found.sort();
}

const readText = (path: string) => readFileSync(path, 'utf8');

/** Feeds `textIterations` mutations of the seeds to `parse`, checking its problems. */
function fuzzTexts(parser: string, seeds: readonly string[], parse: (text: string) => readonly Problem[]): void {
  assert.ok(seeds.length > 0, `no seeds for ${parser}`);
  withSeed(`fuzz ${parser}`, (seed) => {
    const random = seededRandom(seed);
    for (let index = 0; index < textIterations; index++) {
      const text =
        random() < 0.15 ? generatedText(random) : mutateText(random, seeds[Math.floor(random() * seeds.length)]!);
      let problems: readonly Problem[];
      try {
        problems = parse(text);
      } catch (error) {
        throw new Error(`${parser} threw on ${JSON.stringify(text.slice(0, 500))}: ${String(error)}`);
      }
      assertLocatedProblems(problems, `${parser} on ${JSON.stringify(text.slice(0, 200))}`);
      counted(parser);
    }
  });
}

test('pipeline files (dvc.yaml, mlc.yaml, MLproject) never throw on mutated real pipelines', hangGuard, (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const dvcSeeds = corpusFiles((path) => basename(path) === 'dvc.yaml').map(readText);
  const mlprojectSeeds = corpusFiles((path) => basename(path) === 'MLproject').map(readText);
  const params = readText(corpusFiles((path) => basename(path) === 'params.yaml')[0]!);
  const check = (file: string) => (text: string) =>
    loadPipeline(createMemoryFileSystem({ '/ws/params.yaml': params, [file]: text }), file, text).problems;
  fuzzTexts('dvc.yaml', dvcSeeds, check('/ws/dvc.yaml'));
  fuzzTexts('mlc.yaml', dvcSeeds, check('/ws/mlc.yaml'));
  fuzzTexts('MLproject', mlprojectSeeds, check('/ws/MLproject'));
});

test('params files (YAML, JSON, TOML, Python) never throw on mutated real params', hangGuard, (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const yamlSeeds = corpusFiles((path) => basename(path) === 'params.yaml').map(readText);
  const values = yamlSeeds
    .map((text) => parseYaml(text) as unknown)
    .filter((value) => value && typeof value === 'object');
  const jsonSeeds = values.map((value) => JSON.stringify(value, null, 2));
  const tomlSeeds = values.flatMap((value) => {
    try {
      return [stringifyToml(value as Record<string, unknown>)];
    } catch {
      return [];
    }
  });
  const pythonSeeds = values.map((value) =>
    Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${key.replace(/\W/g, '_')} = ${JSON.stringify(item)}`)
      .join('\n'),
  );
  fuzzTexts('params.yaml', yamlSeeds, (text) => parseParamsText(text, '/ws/params.yaml').problems);
  fuzzTexts('params.json', jsonSeeds, (text) => parseParamsText(text, '/ws/params.json').problems);
  fuzzTexts('params.toml', tomlSeeds, (text) => parseParamsText(text, '/ws/params.toml').problems);
  fuzzTexts('params.py', pythonSeeds, (text) => parseParamsText(text, '/ws/params.py').problems);
});

test('lock files never throw on mutated real dvc.lock files', hangGuard, (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const seeds = corpusFiles((path) => basename(path) === 'dvc.lock').map(readText);
  fuzzTexts('dvc.lock', seeds, (text) => parseLockFile(text, '/ws/dvc.lock').problems);
});

/** A store on the in-memory file system: the files of a real one, under /ws. */
interface SeedStore {
  readonly files: Record<string, Uint8Array>;
  readonly store: RunStoreLocation;
}

function loadStore(source: RunStoreLocation['source'], folder: string, storePath: string): SeedStore {
  const files: Record<string, Uint8Array> = {};
  const walk = (current: string) => {
    const stat = statSync(current);
    if (stat.isDirectory()) for (const name of readdirSync(current)) walk(join(current, name));
    else if (stat.isFile() && stat.size <= 4 * 1024 * 1024)
      files[`/ws/${relative(folder, current)}`] = readFileSync(current);
  };
  walk(folder);
  return { files, store: { source, path: `/ws/${relative(folder, storePath)}`.replace(/\/$/, '') } };
}

/**
 * Mutates one file of a real store at a time (text mutations for text files, byte mutations for
 * binary ones) and reads the store as the run index does: list, then the series of its first run.
 */
async function fuzzStores(parser: string, reader: RunReader, seeds: readonly SeedStore[], count: number) {
  assert.ok(seeds.length > 0, `no seed stores for ${parser}`);
  await withSeed(`fuzz ${parser}`, async (seed) => {
    const random = seededRandom(seed);
    for (let index = 0; index < count; index++) {
      const { files, store } = seeds[Math.floor(random() * seeds.length)]!;
      const paths = Object.keys(files);
      const target = paths[Math.floor(random() * paths.length)]!;
      const original = files[target]!;
      const isBinary = original.includes(0);
      const mutated = isBinary
        ? mutateBytes(random, original)
        : new TextEncoder().encode(mutateText(random, new TextDecoder().decode(original)));
      const fs = createMemoryFileSystem({ ...files, [target]: mutated });
      try {
        const listing = await reader.list(store, { fs });
        const series = await reader.series(store, listing.runs[0]?.id ?? 'none', { fs });
        assertLocatedProblems([...listing.problems, ...series.problems], `${parser} (${target} mutated)`);
      } catch (error) {
        throw new Error(`${parser} threw with ${target} mutated: ${String(error)}\n${(error as Error).stack ?? ''}`);
      }
      counted(parser);
    }
  });
}

test(
  'MLflow file stores, DVCLive, TensorBoard and CSV loggers never throw on mutated real stores',
  hangGuard,
  async (t) => {
    if (skipWithoutRealWorldFixtures(t)) return;
    const options = { workspaceRoot: '/ws', clock: longAgo };
    const mlruns = corpusFiles((path) => path.includes('/mlruns/') && basename(path) === 'meta.yaml')
      .map((path) => path.slice(0, path.indexOf('/mlruns/') + '/mlruns'.length))
      .filter((path, index, all) => all.indexOf(path) === index)
      .map((path) => loadStore('mlflow', dirname(path), path));
    await fuzzStores('MLflow file store', createMlflowFileStoreReader({ clock: longAgo }), mlruns, storeIterations);

    const dvclive = corpusFiles((path) => path.endsWith('/dvclive/metrics.json')).map((path) =>
      loadStore('dvclive', dirname(dirname(path)), dirname(path)),
    );
    await fuzzStores('DVCLive', createDvcliveReader(options), dvclive, storeIterations);

    const tensorboard = corpusFiles((path) => basename(path).startsWith('events.out.tfevents.'), 512 * 1024).map(
      (path) => loadStore('tensorboard', dirname(path), dirname(path)),
    );
    await fuzzStores('TensorBoard events', createTensorboardReader(options), tensorboard, storeIterations);

    const csv = [
      ...corpusFiles((path) => basename(path) === 'training.log').map((path) => loadStore('csv', dirname(path), path)),
      ...corpusFiles((path) => basename(path) === 'metrics.csv' && path.includes('lightning_logs')).map((path) =>
        loadStore('csv', dirname(path), dirname(path)),
      ),
    ];
    await fuzzStores('CSV loggers', createCsvLoggerReader(options), csv, storeIterations);
  },
);

test('MLflow SQLite stores never throw when a real mlflow.db is cut or corrupted', hangGuard, async (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const databases = corpusFiles((path) => basename(path) === 'mlflow.db').map((path) =>
    loadStore('mlflow', dirname(path), path),
  );
  const reader = createMlflowSqliteReader({ clock: longAgo });
  try {
    await fuzzStores('MLflow SQLite', reader, databases, sqliteIterations);
  } finally {
    reader.dispose();
  }
});

test("mlc's own run records and metric logs never throw when mutated", hangGuard, async () => {
  // A real record: one finished run with a plot the run tails into metrics.jsonl.
  const workspace = createWorkspace({
    'dvc.yaml': 'stages:\n  train:\n    cmd: node train.js\n    plots:\n      - log.csv\n',
    'train.js': [
      "const fs = require('fs');",
      "fs.writeFileSync('log.csv', 'step,loss\\n');",
      "for (let step = 0; step < 20; step++) fs.appendFileSync('log.csv', `${step},${1 / (step + 1)}\\n`);",
      '',
    ].join('\n'),
    '.git/HEAD': 'ref: refs/heads/main\n',
  });
  const run = runMlcSync(workspace, ['run']);
  assert.equal(run.code, 0, run.stderr);
  const runsFolder = join(workspace, '.mlc', 'runs');
  const seeds = [loadStore('mlc', workspace, runsFolder)];
  const names = Object.keys(seeds[0]!.files).map((path) => basename(path));
  assert.ok(names.includes('run.json'), names.join(', '));
  await fuzzStores('mlc run records', createMlcRunReader({ isOwnerAlive: () => false }), seeds, storeIterations);
});

test('every parser stays within its bounds on size bombs', hangGuard, async () => {
  const depth = iterations(50_000, 500_000);
  const laughs = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let level = 1; level < 9; level++)
    laughs.push(
      `${'abcdefghij'[level]}: &${'abcdefghij'[level]} [${Array(10)
        .fill(`*${'abcdefghij'[level - 1]}`)
        .join(',')}]`,
    );
  const hugeLine = `stages:\n  x:\n    cmd: ${'y'.repeat(iterations(8, 64) * 1024 * 1024)}\n`;
  const bombs: Array<[string, string, string]> = [
    ['deep YAML flow nesting', '/ws/params.yaml', `a: ${'['.repeat(depth)}`],
    [
      'deep YAML block nesting',
      '/ws/params.yaml',
      Array.from({ length: 5000 }, (_, level) => `${' '.repeat(level)}k${level}:`).join('\n'),
    ],
    ['deep JSON nesting', '/ws/params.json', `{"a": ${'['.repeat(depth)}${']'.repeat(depth)}}`],
    ['deep TOML nesting', '/ws/params.toml', `a = ${'['.repeat(depth)}${']'.repeat(depth)}`],
    ['deep Python nesting', '/ws/params.py', `a = ${'['.repeat(depth)}${']'.repeat(depth)}`],
    ['YAML alias expansion (a billion laughs)', '/ws/params.yaml', laughs.join('\n')],
    ['a pipeline of aliases', '/ws/dvc.yaml', `${laughs.join('\n')}\nstages:\n  s:\n    cmd: *i\n`],
    ['a huge line', '/ws/dvc.yaml', hugeLine],
    ['a lock file of aliases', '/ws/dvc.lock', `${laughs.join('\n')}\nschema: '2.0'\nstages:\n  s: *i\n`],
  ];
  const memoryBoundBytes = 512 * 1024 * 1024;
  for (const [what, file, text] of bombs) {
    // The parsers are synchronous: the resident size just after one is its peak or near it.
    const before = process.memoryUsage().rss;
    let problems: readonly Problem[];
    if (file.endsWith('dvc.yaml'))
      problems = loadPipeline(createMemoryFileSystem({ [file]: text }), file, text).problems;
    else if (file.endsWith('dvc.lock')) problems = parseLockFile(text, file).problems;
    else problems = parseParamsText(text, file).problems;
    const peak = process.memoryUsage().rss;
    assertLocatedProblems(problems, what);
    counted('size bombs');
    printFigure(
      `size bomb ${what} (${(text.length / 1024).toFixed(0)} KiB): ${problems.length} problem(s), rss +${((peak - before) / 1048576).toFixed(0)} MiB`,
    );
    assert.ok(peak - before < memoryBoundBytes, `${what} took ${peak - before} bytes of memory`);
  }
  // A pipeline file over the size limit is refused before it is read.
  const big = createMemoryFileSystem({ '/ws/dvc.yaml': new Uint8Array(17 * 1024 * 1024).fill(0x61) });
  const refused = loadPipeline(big, '/ws/dvc.yaml').problems;
  assert.ok(refused.some((problem) => problem.code === 'unreadableFile'));
  assertLocatedProblems(refused, 'a 17 MB pipeline file');
});
