import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metaTime, parseMlflowMetaYaml } from '../../../../../src/engine/readers/mlflow/parseMlflowMetaYaml';

const runMeta = `artifact_uri: file:///home/u/proj/mlruns/0/73ed5776f5e04e23be739d46812cb6bd/artifacts
deleted_time: null
end_time: 1672364273335
entry_point_name: ''
experiment_id: '184713595385473853'
lifecycle_stage: active
run_id: 73ed5776f5e04e23be739d46812cb6bd
run_name: beautiful-dog-902
run_uuid: 73ed5776f5e04e23be739d46812cb6bd
source_name: ''
source_type: 4
source_version: ''
start_time: 1672364273319
status: 3
tags: []
user_id: wavet
`;

test('parseMlflowMetaYaml reads the flat safe_dump lines MLflow writes, keeping ids as exact text', () => {
  const { value, problems } = parseMlflowMetaYaml(runMeta, '/m/meta.yaml');
  assert.deepEqual(problems, []);
  assert.equal(value?.experiment_id, '184713595385473853');
  assert.equal(value?.run_name, 'beautiful-dog-902');
  assert.equal(value?.entry_point_name, '');
  assert.equal(value?.deleted_time, null);
  assert.equal(value?.status, '3');
  assert.equal('tags' in (value ?? {}), false);
  assert.equal(metaTime(value!, 'end_time'), 1672364273335);
  assert.equal(metaTime(value!, 'deleted_time'), undefined);
});

test('parseMlflowMetaYaml unescapes single quotes and accepts CRLF line ends', () => {
  const { value } = parseMlflowMetaYaml("name: 'it''s: a run'\r\nstatus: 1\r\n", '/m/meta.yaml');
  assert.equal(value?.name, "it's: a run");
  assert.equal(value?.status, '1');
});

test('parseMlflowMetaYaml falls back to full YAML for double quotes and folded long lines', () => {
  const folded =
    "name: 'a very long run name that PyYAML folded\n  onto the next line'\nexperiment_id: 123456789012345678901\n";
  const { value, problems } = parseMlflowMetaYaml(folded, '/m/meta.yaml');
  assert.deepEqual(problems, []);
  assert.equal(value?.name, 'a very long run name that PyYAML folded onto the next line');
  assert.equal(value?.experiment_id, '123456789012345678901');
  assert.equal(parseMlflowMetaYaml('name: "tab\\there"\n', '/m').value?.name, 'tab\there');
});

test('parseMlflowMetaYaml reports malformed and empty files as located problems instead of throwing', () => {
  const broken = parseMlflowMetaYaml('name: [unclosed\nstatus: 3\n', '/m/meta.yaml');
  assert.equal(broken.value, undefined);
  assert.equal(broken.problems[0]?.code, 'mlflowMetaInvalid');
  assert.equal(broken.problems[0]?.file, '/m/meta.yaml');
  assert.ok(broken.problems[0]!.line >= 1);
  assert.equal(parseMlflowMetaYaml('', '/m/meta.yaml').problems[0]?.code, 'mlflowMetaEmpty');
  assert.equal(parseMlflowMetaYaml('- a\n- b\n', '/m/meta.yaml').problems[0]?.code, 'mlflowMetaInvalid');
});
