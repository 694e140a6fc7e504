/**
 * Builds DVCLive output folders as files (path -> text) from the format spec (FORMATS.md 2),
 * for tests: `params.yaml`, `metrics.json` (nested by `/`, `step` at the top), and one
 * `plots/metrics/<name>.tsv` per series (`[timestamp\t]step\t<basename>`), LF or CRLF.
 */
export interface DvclivePoint {
  readonly step: number;
  readonly value: number | string;
  readonly timestamp?: number;
}

export interface DvcliveRunSpec {
  readonly folder: string;
  readonly params?: string;
  readonly series?: Readonly<Record<string, readonly DvclivePoint[]>>;
  /** The summary; by default the last value of every series plus `step`. `null` writes none. */
  readonly summary?: Record<string, unknown> | null;
  readonly lineEnding?: '\n' | '\r\n';
}

/** Python's str() for the floats these tests use: `nan`, `inf`, `-inf`, else JS digits. */
export function pythonNumber(value: number | string): string {
  if (typeof value === 'string') return value;
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}

export function dvcliveTsv(name: string, points: readonly DvclivePoint[], lineEnding = '\n'): string {
  const base = name.split('/').at(-1)!;
  const withTimestamp = points[0]?.timestamp !== undefined;
  const header = withTimestamp ? `timestamp\tstep\t${base}` : `step\t${base}`;
  const rows = points.map((point) =>
    [
      ...(point.timestamp !== undefined ? [String(point.timestamp)] : []),
      String(point.step),
      pythonNumber(point.value),
    ].join('\t'),
  );
  return [header, ...rows].map((line) => `${line}${lineEnding}`).join('');
}

export function dvcliveFiles(spec: DvcliveRunSpec): Record<string, string> {
  const files: Record<string, string> = {};
  const lineEnding = spec.lineEnding ?? '\n';
  if (spec.params !== undefined) files[`${spec.folder}/params.yaml`] = spec.params;
  let lastStep = 0;
  const summary: Record<string, unknown> = {};
  for (const [name, points] of Object.entries(spec.series ?? {})) {
    files[`${spec.folder}/plots/metrics/${name}.tsv`] = dvcliveTsv(name, points, lineEnding);
    const last = points.at(-1);
    if (!last) continue;
    lastStep = Math.max(lastStep, last.step);
    let target = summary;
    const parts = name.split('/');
    for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
    target[parts.at(-1)!] =
      typeof last.value === 'number' && !Number.isFinite(last.value) ? pythonNumber(last.value) : last.value;
  }
  if (spec.summary !== null) {
    files[`${spec.folder}/metrics.json`] =
      `${JSON.stringify(spec.summary ?? { ...summary, step: lastStep }, null, 4)}\n`;
  }
  return files;
}
