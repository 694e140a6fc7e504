import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { makeTempDir } from '../support/tempDir';

// The example projects are real Python projects: these tests run their scripts with python3, the
// way mlc (or DVC) would, in a temporary copy so that the working tree stays clean.
const examplesRoot = resolve(__dirname, '../../examples');
const committedPaths = ['src', 'data/raw.csv', 'params.yaml', 'mlc.yaml', 'dvc.yaml'];
function copyExample(name: string): string {
  const folder = makeTempDir(`mlc-example-${name}-`);
  for (const path of committedPaths) {
    const source = join(examplesRoot, name, path);
    if (!existsSync(source)) continue;
    cpSync(source, join(folder, path), { recursive: true, filter: (from) => !from.includes('__pycache__') });
  }
  return folder;
}

function python3Available(): void {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  assert.equal(probe.status, 0, 'python3 (>= 3.8) must be on PATH to run the example projects');
}

function runShell(folder: string, command: string): string {
  const result = spawnSync('sh', ['-c', command], {
    cwd: folder,
    encoding: 'utf8',
    env: { ...process.env, MLC_RUN_ID: 'test-run-1' },
  });
  assert.equal(result.status, 0, `'${command}' failed in ${folder}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

type Scope = Record<string, unknown>;

/** `${a.b}` lookup, enough for these examples' commands; the engine has the full implementation. */
function interpolate(text: string, scope: Scope): string {
  return text.replace(/\$\{([^}]*)\}/g, (_match, key: string) => {
    const value = key.split('.').reduce<unknown>((node, part) => (node as Scope | undefined)?.[part], scope);
    assert.ok(value !== undefined && typeof value !== 'object', `\${${key}} does not resolve to a scalar`);
    return String(value);
  });
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** Runs every stage of examples/churn/mlc.yaml in order, with ${} filled from params.yaml. */
function runChurnPipeline(folder: string): { params: Scope; output: string } {
  const params = parse(readFileSync(join(folder, 'params.yaml'), 'utf8')) as Scope;
  const pipeline = parse(readFileSync(join(folder, 'mlc.yaml'), 'utf8')) as { stages: Record<string, { cmd: string }> };
  assert.deepEqual(Object.keys(pipeline.stages), ['prepare', 'train', 'evaluate']);
  const output = Object.values(pipeline.stages)
    .map((stage) => runShell(folder, interpolate(stage.cmd, params)))
    .join('');
  return { params, output };
}

let trained: { folder: string; params: Scope; output: string } | undefined;

/** One trained copy shared by the tests that only read its outputs, to keep the suite fast. */
function trainedChurn(): { folder: string; params: Scope; output: string } {
  python3Available();
  if (!trained) {
    const folder = copyExample('churn');
    trained = { folder, ...runChurnPipeline(folder) };
  }
  return trained;
}

test('the churn example trains a model clearly better than chance from the commands in mlc.yaml', () => {
  const { folder, output } = trainedChurn();

  assert.match(output, /run test-run-1/, 'train.py logs MLC_RUN_ID');
  const evaluation = readJson(join(folder, 'metrics/eval.json'));
  for (const name of ['accuracy', 'precision', 'recall', 'f1', 'auc']) {
    const value = evaluation[name];
    assert.ok(typeof value === 'number' && value > 0.6 && value < 0.99, `${name} = ${String(value)}`);
  }
  assert.ok((evaluation.accuracy as number) >= 0.8, 'accuracy passes the deploy gate in mlc.yaml');
  assert.equal(evaluation.test_rows, 400);
  const training = readJson(join(folder, 'metrics/train.json'));
  assert.ok((training.val_accuracy as number) > 0.75);
  const model = readJson(join(folder, 'models/model.json'));
  assert.equal((model.weights as number[]).length, (model.features as string[]).length);
  const roc = readFileSync(join(folder, 'plots/roc.csv'), 'utf8').trim().split('\n');
  assert.equal(roc[0], 'fpr,tpr,threshold');
  assert.equal(roc.at(-1)?.split(',').slice(0, 2).join(','), '1.000000,1.000000');
  // The confusion matrix plot: one actual,predicted row per test row, agreeing with the accuracy.
  const confusion = readFileSync(join(folder, 'plots/confusion.csv'), 'utf8').trim().split('\n');
  assert.equal(confusion[0], 'actual,predicted');
  assert.equal(confusion.length - 1, 400);
  const agreeing = confusion.slice(1).filter((row) => row.split(',')[0] === row.split(',')[1]).length;
  assert.equal(agreeing / 400, evaluation.accuracy);
});

test('train.py writes one log row per epoch, with improving validation loss', () => {
  const { folder, params } = trainedChurn();

  const epochs = (params.train as Scope).epochs as number;
  const lines = readFileSync(join(folder, 'logs/train.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(lines[0], 'epoch,loss,accuracy,val_loss,val_accuracy');
  assert.equal(lines.length, epochs + 1);
  const rows = lines.slice(1).map((line) => line.split(',').map(Number));
  assert.deepEqual(
    rows.map((row) => row[0]),
    Array.from({ length: epochs }, (_, index) => index + 1),
  );
  const firstValLoss = rows[0]?.[3] ?? Number.NaN;
  const lastValLoss = rows.at(-1)?.[3] ?? Number.NaN;
  assert.ok(lastValLoss < firstValLoss, `val_loss ${firstValLoss} -> ${lastValLoss}`);
});

test('the churn pipeline is deterministic: two runs write byte-identical outputs', () => {
  const first = trainedChurn().folder;
  const second = copyExample('churn');
  runChurnPipeline(second);
  for (const path of ['data/train.csv', 'data/test.csv', 'models/model.json', 'metrics/eval.json', 'logs/train.csv']) {
    assert.equal(readFileSync(join(first, path), 'utf8'), readFileSync(join(second, path), 'utf8'), path);
  }
});

test('make_data.py regenerates the committed data/raw.csv exactly', () => {
  python3Available();
  const folder = copyExample('churn');
  runShell(folder, 'python3 src/make_data.py --rows 2000 --seed 7 --out data/regenerated.csv');
  assert.equal(
    readFileSync(join(folder, 'data/regenerated.csv'), 'utf8'),
    readFileSync(join(folder, 'data/raw.csv'), 'utf8'),
  );
});

test('serve.py answers /health and /predict for the trained model and stops on SIGTERM', async () => {
  const { folder } = trainedChurn();
  const server = spawn('python3', ['src/serve.py', '--model', 'models/model.json', '--port', '0'], { cwd: folder });
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      let seen = '';
      server.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /on (http:\/\/[\d.]+:\d+)/.exec(seen);
        if (match?.[1]) resolveUrl(match[1]);
      });
      server.once('exit', (code) => reject(new Error(`serve.py exited early with ${String(code)}`)));
    });
    const health = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
    assert.equal(health.status, 'ok');
    assert.match(String(health.sha256), /^[0-9a-f]{64}$/);

    const loyal = { tenure: 70, monthly_charges: 25, support_calls: 0, senior: 0, paperless_billing: 0 };
    const risky = { tenure: 1, monthly_charges: 110, support_calls: 5, senior: 1, paperless_billing: 1 };
    const response = await fetch(`${url}/predict`, {
      method: 'POST',
      body: JSON.stringify({
        instances: [
          { ...loyal, contract: 'two-year', payment_method: 'card' },
          { ...risky, contract: 'month-to-month', payment_method: 'electronic-check' },
        ],
      }),
    });
    assert.equal(response.status, 200);
    const { predictions } = (await response.json()) as { predictions: { churn: number }[] };
    assert.deepEqual(
      predictions.map((prediction) => prediction.churn),
      [0, 1],
    );

    const invalid = await fetch(`${url}/predict`, { method: 'POST', body: JSON.stringify({ tenure: 3 }) });
    assert.equal(invalid.status, 400);
    assert.match(((await invalid.json()) as { error: string }).error, /monthly_charges/);
  } finally {
    const exited = new Promise<number | null>((resolveExit) => server.once('exit', resolveExit));
    server.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});

test('the dvc-churn example runs every expanded stage of its foreach and matrix', () => {
  python3Available();
  const folder = copyExample('dvc-churn');
  const params = parse(readFileSync(join(folder, 'params.yaml'), 'utf8')) as Scope;
  const pipeline = parse(readFileSync(join(folder, 'dvc.yaml'), 'utf8')) as {
    stages: {
      prepare: { cmd: string };
      train: { foreach: string; do: { cmd: string } };
      evaluate: { matrix: { variant: string[] }; cmd: string };
    };
  };
  assert.equal(pipeline.stages.train.foreach, '${variants}');
  const variants = params.variants as Record<string, Scope>;
  assert.deepEqual(pipeline.stages.evaluate.matrix.variant, Object.keys(variants), 'matrix lists every variant');

  runShell(folder, interpolate(pipeline.stages.prepare.cmd, params));
  for (const [key, item] of Object.entries(variants)) {
    runShell(folder, interpolate(pipeline.stages.train.do.cmd, { ...params, key, item }));
  }
  for (const variant of pipeline.stages.evaluate.matrix.variant) {
    runShell(folder, interpolate(pipeline.stages.evaluate.cmd, { ...params, item: { variant } }));
  }
  for (const variant of Object.keys(variants)) {
    const evaluation = readJson(join(folder, `metrics/${variant}/eval.json`));
    assert.ok((evaluation.accuracy as number) > 0.75, `${variant}: accuracy ${String(evaluation.accuracy)}`);
  }
});
