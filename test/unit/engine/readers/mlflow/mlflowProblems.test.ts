import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { MLFLOW_PROBLEM_CODES } from '../../../../../src/engine/readers/mlflow/mlflowProblems';

const sourceFolders = ['src/engine/readers/mlflow', 'src/node/readers/mlflowSqlite', 'src/node/readers'].map((folder) =>
  resolve(__dirname, '../../../../..', folder),
);

test('every problem code the MLflow readers emit is documented in MLFLOW_PROBLEM_CODES', () => {
  const used = new Set<string>();
  for (const folder of sourceFolders) {
    for (const file of readdirSync(folder).filter(
      (name) => name.endsWith('.ts') && !name.startsWith('mlflowProblems'),
    )) {
      if (folder.endsWith('src/node/readers') && !file.startsWith('mlflow')) continue;
      for (const match of readFileSync(join(folder, file), 'utf8').matchAll(/'(mlflow[A-Z]\w+)'/g)) used.add(match[1]!);
    }
  }
  assert.ok(used.size >= 20, `found only ${used.size} codes: the scan is broken`);
  const undocumented = [...used].filter((code) => !(code in MLFLOW_PROBLEM_CODES));
  assert.deepEqual(undocumented, []);
});
