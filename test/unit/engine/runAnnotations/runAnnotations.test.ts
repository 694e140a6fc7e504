import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  readRunAnnotations,
  RUN_ANNOTATIONS_FILE,
  updateRunAnnotation,
} from '../../../../src/engine/runAnnotations/runAnnotations';
import { createMemoryFileSystem } from '../../../support/memoryFileSystem';

const ROOT = '/ws';
const FILE = `${ROOT}/${RUN_ANNOTATIONS_FILE}`;

test('annotations of any source are kept in .mlc/annotations.json, keyed by run id', () => {
  const fs = createMemoryFileSystem();
  assert.deepEqual([...readRunAnnotations(fs, ROOT).value], []);
  updateRunAnnotation(fs, ROOT, 'mlflow:abc', { starred: true });
  const saved = updateRunAnnotation(fs, ROOT, 'mlflow:abc', { note: 'best so far', tags: [' keep ', 'keep', ''] });
  assert.deepEqual(saved, { value: { starred: true, note: 'best so far', tags: ['keep'] }, problems: [] });
  assert.deepEqual(JSON.parse(fs.readText(FILE)), {
    schema: 1,
    runs: { 'mlflow:abc': { starred: true, note: 'best so far', tags: ['keep'] } },
  });
  assert.deepEqual(readRunAnnotations(fs, ROOT).value.get('mlflow:abc'), saved.value);
});

test('an annotation cleared back to empty leaves the file', () => {
  const fs = createMemoryFileSystem();
  updateRunAnnotation(fs, ROOT, 'run-1', { starred: true });
  updateRunAnnotation(fs, ROOT, 'run-1', { starred: false });
  assert.deepEqual(JSON.parse(fs.readText(FILE)).runs, {});
});

test('an unreadable file is reported and never overwritten', () => {
  const broken = '{"runs": {"run-1": {"starred": true}} <<<<<<< HEAD';
  const fs = createMemoryFileSystem({ [FILE]: broken });
  const read = readRunAnnotations(fs, ROOT);
  assert.equal(read.problems[0]?.code, 'annotationsUnreadable');
  const update = updateRunAnnotation(fs, ROOT, 'run-2', { starred: true });
  assert.equal(update.value, undefined);
  assert.equal(update.problems[0]?.code, 'annotationsUnreadable');
  assert.equal(fs.readText(FILE), broken);
});
