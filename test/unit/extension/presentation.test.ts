import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunSummary } from '../../../src/engine/runs/model';
import {
  describeRun,
  escapeMarkdown,
  formatDuration,
  formatKeyMetrics,
  formatMetricValue,
  presentState,
  shownStageState,
  withoutBidiControls,
} from '../../../src/extension/presentation';

const aRun = (overrides: Partial<RunSummary> = {}): RunSummary => ({
  id: '20261126-081500-train',
  source: 'mlc',
  name: 'train',
  status: 'succeeded',
  startedAt: Date.UTC(2026, 10, 26, 8, 15, 0),
  endedAt: Date.UTC(2026, 10, 26, 8, 15, 12, 300),
  params: { 'train.lr': 0.1, seed: 42 },
  metrics: { loss: 0.2134, accuracy: 0.91234, zeta: 3 },
  location: '/ws/.mlc/runs/20261126-081500-train',
  ...overrides,
});

test('durations read naturally at every scale', () => {
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(12_300), '12.3 s');
  assert.equal(formatDuration(42_000), '42.0 s');
  assert.equal(formatDuration(245_000), '4m 05s');
  assert.equal(formatDuration(7_380_000), '2h 03m');
  assert.equal(formatDuration(-1), '');
});

test('metric values keep four significant digits without noise', () => {
  assert.equal(formatMetricValue(0.91234), '0.9123');
  assert.equal(formatMetricValue(1234), '1234');
  assert.equal(formatMetricValue(1.2e-7), '1.20e-7');
  assert.equal(formatMetricValue(Number.NaN), 'NaN');
});

test('key metrics put well-known names first', () => {
  assert.equal(formatKeyMetrics({ zeta: 3, loss: 0.2, 'eval.accuracy': 0.9 }, 2), 'eval.accuracy 0.9 · loss 0.2');
});

test('a run is described by status, duration and key metrics', () => {
  assert.equal(describeRun(aRun(), Date.now(), 2), 'succeeded · 12.3 s · accuracy 0.9123 · loss 0.2134');
  const running = aRun({ status: 'running', endedAt: undefined, metrics: {} });
  assert.equal(describeRun(running, running.startedAt! + 5000, 2), 'running · 5.0 s');
  const queued = aRun({ status: 'queued', endedAt: undefined, metrics: {} });
  assert.equal(describeRun(queued, queued.startedAt! + 5000, 2), 'queued · 5.0 s');
});

test('every stage state has a label and an icon', () => {
  for (const state of ['up-to-date', 'changed', 'never-run', 'frozen', 'running', 'failed', 'unknown'] as const) {
    assert.ok(presentState(state).label.length > 0);
    assert.ok(presentState(state).icon.length > 0);
  }
  assert.equal(presentState('up-to-date').label, 'up to date');
});

test('run values are escaped for Markdown tooltips, so HTML and emphasis show as written', () => {
  assert.equal(escapeMarkdown('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert\\(1\\)&gt;');
  assert.equal(escapeMarkdown('a & b'), 'a &amp; b');
  assert.equal(escapeMarkdown('**bold** [link](command:x)'), '\\*\\*bold\\*\\* \\[link\\]\\(command:x\\)');
});

test('a stage whose Slurm job waits in the queue shows as queued, with the pending reason first in the tooltip', () => {
  const queued = shownStageState('changed', { state: 'queued', reason: 'BeginTime' }, false, ['dep data.csv changed']);
  assert.deepEqual(queued, {
    state: 'queued',
    reasons: ['waiting in the Slurm queue: BeginTime', 'dep data.csv changed'],
  });
  assert.deepEqual(presentState('queued'), { label: 'queued', icon: 'clock', color: 'charts.orange' });
  assert.deepEqual(shownStageState('changed', { state: 'running' }, true, ['x']), { state: 'running', reasons: ['x'] });
  assert.equal(shownStageState('changed', undefined, true, []).state, 'failed');
  assert.equal(shownStageState('frozen', undefined, true, []).state, 'frozen');
  assert.equal(shownStageState('up-to-date', undefined, false, []).state, 'up-to-date');
});

test('a tree label drops bidirectional overrides and isolates, keeping every other character', () => {
  assert.equal(withoutBidiControls('\u202Egnp.exe'), 'gnp.exe');
  assert.equal(withoutBidiControls('a\u2066b\u2069\u202Ac\u202C'), 'abc');
  // Arabic text and zero-width characters are text, not formatting: they stay.
  assert.equal(withoutBidiControls('مرحبا\u200B\u200D'), 'مرحبا\u200B\u200D');
  assert.equal(withoutBidiControls('prepare, train'), 'prepare, train');
});
