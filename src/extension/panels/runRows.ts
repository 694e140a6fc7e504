/**
 * RunSummary (engine) -> RunRow (the panels' JSON), and the delta between two listings. Pure, so
 * both are unit-tested without VS Code.
 */
import type { RunAnnotation } from '../../engine/runAnnotations/runAnnotations';
import type { RunSummary } from '../../engine/runs/model';
import type { RunRow } from '../../protocol/runRow';

const NO_ANNOTATION: RunAnnotation = { starred: false, note: '', tags: [] };

export function toRunRow(run: RunSummary, annotation: RunAnnotation = NO_ANNOTATION): RunRow {
  const metrics: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(run.metrics)) metrics[name] = Number.isFinite(value) ? value : null;
  return {
    id: run.id,
    source: run.source,
    name: run.name,
    status: run.status,
    startedAt: run.startedAt ?? null,
    endedAt: run.endedAt ?? null,
    gitCommit: run.git?.commit ?? null,
    gitDirty: run.git?.dirty ?? false,
    experiment: run.experiment ?? null,
    location: run.location,
    params: run.params,
    metrics,
    tags: run.tags ?? {},
    annotation: { starred: annotation.starred, note: annotation.note, tags: [...annotation.tags] },
    ...(run.alerts && run.alerts.length > 0 ? { alerts: run.alerts.map((alert) => alert.message) } : {}),
  };
}

export interface RunRowsDelta {
  readonly upserted: RunRow[];
  readonly removed: string[];
  /** What the panel holds after the delta: id -> the row's JSON. */
  readonly sent: Map<string, string>;
}

/** Which rows are new or changed since `sent` (by their JSON), and which ids are gone. */
export function diffRunRows(sent: ReadonlyMap<string, string>, rows: readonly RunRow[]): RunRowsDelta {
  const next = new Map<string, string>();
  const upserted: RunRow[] = [];
  // In the listing's order (newest first): the panel puts new runs on top in that order.
  for (const row of rows) {
    const json = JSON.stringify(row);
    next.set(row.id, json);
    if (sent.get(row.id) !== json) upserted.push(row);
  }
  const removed = [...sent.keys()].filter((id) => !next.has(id));
  return { upserted, removed, sent: next };
}
