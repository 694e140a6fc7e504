import type { RunRow } from '../../src/protocol/runRow';

/** A Run History row with plausible defaults; override what the test is about. */
export function aRunRow(overrides: Partial<RunRow> & { readonly id: string }): RunRow {
  return {
    source: 'mlc',
    name: overrides.id,
    status: 'succeeded',
    startedAt: Date.UTC(2026, 10, 26, 8, 0, 0),
    endedAt: Date.UTC(2026, 10, 26, 8, 0, 30),
    gitCommit: null,
    gitDirty: false,
    experiment: null,
    location: `/ws/.mlc/runs/${overrides.id}`,
    params: {},
    metrics: {},
    tags: {},
    annotation: { starred: false, note: '', tags: [] },
    ...overrides,
  };
}
