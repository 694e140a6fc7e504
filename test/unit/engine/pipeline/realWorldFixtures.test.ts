import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { loadPipeline } from '../../../../src/engine/pipeline/loadPipeline';
import { nodeFileSystem } from '../../../../src/node/nodeFileSystem';
import { skipWithoutRealWorldFixtures, realWorldFixturesRoot } from '../../../support/realWorldFixtures';

const realWorld = realWorldFixturesRoot;

function pipelineFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return pipelineFiles(path);
    const isPipeline =
      entry.name === 'dvc.yaml' || entry.name.endsWith('.dvc.yaml') || entry.name.toLowerCase() === 'mlproject';
    return isPipeline ? [path] : [];
  });
}

/** Files that are wrong on purpose (or use keys DVC removed), with the problem they must raise. */
const intentionallyInvalid: Record<string, string> = {
  'dvc-dvcyaml-schema-fixtures/main-f563c18/examples/invalid/artifacts.extra.dvc.yaml': 'unknownKey',
  'dvc-dvcyaml-schema-fixtures/main-f563c18/examples/invalid/foreach.extra.dvc.yaml': 'unknownKey',
  'dvc-dvcyaml-schema-fixtures/main-f563c18/examples/invalid/matrix.extra.dvc.yaml': 'unknownKey',
  'dvc-dvcyaml-schema-fixtures/main-f563c18/examples/invalid/matrix.foreach.dvc.yaml': 'unknownKey',
  'dvc-dvcyaml-schema-fixtures/main-f563c18/examples/invalid/metrics.extra.dvc.yaml': 'unknownKey',
  'dvc-dvcyaml-schema-fixtures/main-f563c18/examples/invalid/outs.extra.dvc.yaml': 'unknownKey',
  'dvc-dvcyaml-schema-fixtures/main-f563c18/examples/invalid/plots.extra.dvc.yaml': 'unknownKey',
  'dvc-dvcyaml-schema-fixtures/main-f563c18/examples/invalid/stage.extra.dvc.yaml': 'unknownKey',
  'dvc-dvcyaml-schema-fixtures/main-f563c18/examples/invalid/toplevel.extra.dvc.yaml': 'unknownKey',
  // DVC 1.0 pre-release key, removed before 1.0 shipped.
  'dvc-example-get-started/pr1-3df98ae/dvc.yaml': 'unknownKey',
};

function loadFixture(path: string) {
  return loadPipeline(nodeFileSystem, join(realWorld, path));
}

test('the real-world fixtures folder is present', (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  assert.ok(
    existsSync(realWorld),
    `Missing ${realWorld}: the shared real-world fixtures must sit beside the repository (../shared/fixtures/real-world).`,
  );
});

test('every real-world dvc.yaml and MLproject parses without throwing and without YAML syntax problems', (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const files = pipelineFiles(realWorld);
  assert.ok(files.length >= 40, `expected the real-world pipeline files, found ${files.length}`);
  for (const file of files) {
    const name = relative(realWorld, file);
    const { problems } = loadPipeline(nodeFileSystem, file);
    const codes = problems.map((problem) => problem.code);
    assert.ok(
      !codes.includes('yamlSyntax') && !codes.includes('internalError'),
      `${name}: ${JSON.stringify(problems)}`,
    );
    const expected = intentionallyInvalid[name];
    if (expected) assert.ok(codes.includes(expected), `${name} should raise ${expected}`);
    else
      assert.ok(
        !codes.includes('unknownKey') || name.toLowerCase().endsWith('mlproject'),
        `${name}: ${JSON.stringify(problems)}`,
      );
  }
});

test('real-world foreach stages get DVC names and the commands dvc.lock recorded', (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const bradford = loadFixture('dvc-open-innovations-bradford-2025/main-efc3a54/pipelines/dvc.yaml').pipeline;
  const grue = bradford.stages.find((stage) => stage.name === 'events@grue')!;
  // A null param renders as Python's None, exactly as in the fixture's dvc.lock.
  assert.equal(
    grue.cmd,
    "papermill --no-log-output events.ipynb output/events.ipynb -p spektrix_event_ids '7601AHCJPTHNBCVJHLQNKQVKDRKRMLTPC' -p venue_postcode 'None' -p rosterfy_event_ids '26540' -p project_ids 'recoJF8kMXHloBbjt' -p evaluation_categories '' -p venue_ids '' -p slug 'grue'",
  );
  assert.ok(bradford.stages.some((stage) => stage.name === 'dashboards@live'));
  const ons = loadFixture('dvc-open-innovations-yff/main-233e003/pipelines/ons/dvc.yaml').pipeline;
  assert.deepEqual(
    ons.stages.map((stage) => stage.name),
    ['download@lms', 'download@mm23', 'download@unem', 'process@lms', 'process@mm23', 'process@unem'],
  );
  assert.equal(
    ons.stages[3]!.cmd,
    'papermill process.ipynb ../../output/ons-process-lms.ipynb -p dataset lms -p url https://www.ons.gov.uk/file?uri=/employmentandlabourmarket/peopleinwork/employmentandemployeetypes/datasets/labourmarketstatistics/current/lms.csv',
  );
  const datasets = loadFixture('dvc-pipeline-conifguration/main-a20df1b/multi-validation-datasets/dvc.yaml').pipeline;
  assert.deepEqual(
    datasets.stages.filter((stage) => stage.group === 'evaluate').map((stage) => stage.name),
    ['evaluate@micro', 'evaluate@customer-1', 'evaluate@customer-2'],
  );
  const llm = loadFixture('dvc-alex000kim-llm-finetune/main-768bec9/dvc.yaml').pipeline;
  assert.ok(llm.stages.some((stage) => stage.name === 'data_split@identity_subset.jsonl'));
});

test('real-world matrix and foreach schema examples expand as DVC does', (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const matrix = loadFixture('dvc-dvcyaml-schema-fixtures/main-f563c18/examples/valid/matrix.dvc.yaml').pipeline;
  assert.equal(matrix.stages.length, 16);
  assert.equal(matrix.stages[0]!.name, 'stage1@processor1-dataset1/-config0-labels0');
  const foreach = loadFixture('dvc-dvcyaml-schema-fixtures/main-f563c18/examples/valid/foreach.dvc.yaml').pipeline;
  assert.deepEqual(foreach.stages.map((stage) => stage.name).slice(0, 9), [
    'test_dict@first',
    'test_dict@second',
    'test_dict@third',
    'test_seq@1',
    'test_seq@2',
    'test_seq@3',
    'test_nested_seq@0',
    'test_nested_seq@1',
    'test_nested_seq@2',
  ]);
});

test('real-world MLprojects become one stage per entry point with defaults filled in', (t) => {
  if (skipWithoutRealWorldFixtures(t)) return;
  const hyperparam = loadFixture('mlproject-mlflow-mlflow/examples/hyperparam/MLproject').pipeline;
  assert.deepEqual(
    hyperparam.stages.map((stage) => stage.name),
    ['train', 'random', 'gpyopt', 'hyperopt'],
  );
  assert.equal(
    hyperparam.stages[0]!.cmd,
    'python train.py ../sklearn_elasticnet_wine/wine-quality.csv --batch-size 16 --epochs 32 --learning-rate 1e-1 --momentum 0.0',
  );
  const example = loadFixture('mlproject-mlflow-example/master-0651d1c/MLproject');
  assert.equal(example.pipeline.stages[0]!.cmd, 'python train.py 0.5 0.1');
  assert.deepEqual(example.pipeline.environment, { kind: 'conda_env', value: 'conda.yaml' });
  assert.deepEqual(example.problems, []);
});
