/** Times of runs as the panels show them. */
import type { RunRow } from '../../src/protocol/runRow';

/** `2024-05-01 14:03:12` in the viewer's time zone; empty for no time. */
export function formatTime(epochMs: number | null): string {
  if (epochMs === null) return '';
  const date = new Date(epochMs);
  const pad = (part: number) => String(part).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}`;
}

/** Milliseconds from start to end; a running run counts to `now`. */
export function runDurationMs(row: RunRow, now: number): number | null {
  if (row.startedAt === null) return null;
  const end = row.endedAt ?? (row.status === 'running' || row.status === 'queued' ? now : null);
  return end === null ? null : Math.max(0, end - row.startedAt);
}
