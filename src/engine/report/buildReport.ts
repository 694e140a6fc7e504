import { join, relative } from 'pathe';
import { lockFilePathFor } from '../lock/model';
import { parseLockFile } from '../lock/parseLockFile';
import { getDotted } from '../params/readParams';
import { parseParamsText } from '../params/parseParamsText';
import { unboxPythonFloats } from '../params/formatPythonValue';
import type { Pipeline } from '../pipeline/model';
import type { Problem } from '../problems';
import { flattenNumbers, flattenValues } from '../runStore/flattenNumbers';
import type { RevisionFiles } from './ports';

/** One metric or param compared between the base revision and the workspace. */
export interface ReportRow {
  /** Workspace-relative file the value comes from. */
  readonly file: string;
  /** Dotted key (`train.lr`, `accuracy`). */
  readonly name: string;
  /** Undefined when the value does not exist on that side. */
  readonly base: unknown;
  readonly workspace: unknown;
  /** workspace - base, when both are numbers. */
  readonly delta?: number;
  /** delta / |base| * 100, when both are numbers and base is not 0. */
  readonly deltaPercent?: number;
}

export interface Report {
  readonly metrics: readonly ReportRow[];
  readonly params: readonly ReportRow[];
  readonly problems: readonly Problem[];
}

/**
 * Compares the metrics and params of the workspace's pipelines between two revisions: the
 * metrics files the stages declare (and dvc.yaml's top-level `metrics`), and the param keys the
 * stages depend on, read from their params files; where a params file does not exist at a
 * revision, the values its lock file recorded at that revision stand in (a base commit whose
 * params lived only in the lock). Rows come in file order, then key order; never throws.
 */
export async function buildReport(
  root: string,
  pipelines: readonly Pipeline[],
  revisions: { readonly base: RevisionFiles; readonly workspace: RevisionFiles },
): Promise<Report> {
  const problems: Problem[] = [];
  const metricsFiles = new Set<string>();
  /** params file (workspace-relative) -> keys as declared ('all' for the whole file). */
  const paramsKeys = new Map<string, Set<string> | 'all'>();
  /** params file (workspace-relative) -> lock files (workspace-relative) that record it, with the name there. */
  const paramsLocks = new Map<string, { lock: string; fileInLock: string }[]>();
  for (const pipeline of pipelines) {
    for (const file of pipeline.metricsFiles) metricsFiles.add(relative(root, join(pipeline.root, file)));
    for (const stage of pipeline.stages) {
      for (const out of stage.outs)
        if (out.kind === 'metric') metricsFiles.add(relative(root, join(stage.wdir, out.path)));
      const lock = lockFilePathFor(stage);
      for (const dependency of stage.params) {
        const file = relative(root, join(stage.wdir, dependency.file));
        const known = paramsKeys.get(file);
        if (dependency.keys === 'all' || known === 'all') paramsKeys.set(file, 'all');
        else paramsKeys.set(file, new Set([...(known ?? []), ...dependency.keys]));
        if (lock) {
          const locks = paramsLocks.get(file) ?? [];
          locks.push({ lock: relative(root, lock), fileInLock: dependency.file });
          paramsLocks.set(file, locks);
        }
      }
    }
  }

  const readSide = async (side: RevisionFiles, file: string) => {
    const text = await side.readText(file);
    if (text === undefined) return undefined;
    const parsed = parseParamsText(text, file);
    problems.push(...parsed.problems);
    return parsed.value && (unboxPythonFloats(parsed.value) as Record<string, unknown>);
  };
  const lockTexts = new Map<string, Promise<string | undefined>>();
  const lockedParams = async (side: RevisionFiles, sideName: string, file: string) => {
    const values: Record<string, unknown> = {};
    for (const { lock, fileInLock } of paramsLocks.get(file) ?? []) {
      const key = `${sideName}\0${lock}`;
      if (!lockTexts.has(key)) lockTexts.set(key, side.readText(lock));
      const text = await lockTexts.get(key);
      if (text === undefined) continue;
      // Problems of the lock file itself are mlc status's to report; here it is only a fallback.
      for (const entry of parseLockFile(text, lock).value.stages.values())
        Object.assign(values, entry.params[fileInLock] ?? {});
    }
    return Object.keys(values).length > 0 ? values : undefined;
  };

  const metrics: ReportRow[] = [];
  for (const file of metricsFiles) {
    const [base, workspace] = await Promise.all([readSide(revisions.base, file), readSide(revisions.workspace, file)]);
    metrics.push(...compareFlat(file, flattenNumbers(base ?? {}), flattenNumbers(workspace ?? {})));
  }

  const params: ReportRow[] = [];
  for (const [file, keys] of paramsKeys) {
    const sides = await Promise.all(
      (['base', 'workspace'] as const).map(
        async (side) =>
          (await readSide(revisions[side], file)) ?? (await lockedParams(revisions[side], side, file)) ?? {},
      ),
    );
    const [base, workspace] = sides.map((values) => flattenParams(values, keys));
    params.push(...compareFlat(file, base!, workspace!));
  }
  return { metrics, params, problems };
}

/** The declared keys of a params file as dotted leaves (`train` -> `train.lr`, `train.epochs`). */
function flattenParams(values: Record<string, unknown>, keys: Set<string> | 'all'): Record<string, unknown> {
  const selected: Record<string, unknown> = {};
  for (const key of keys === 'all' ? Object.keys(values) : keys) {
    // A lock records each declared key under its full dotted name; a params file nests it.
    const { found, value } = Object.hasOwn(values, key) ? { found: true, value: values[key] } : getDotted(values, key);
    if (found) flattenValues(value, (leaf) => leaf, key, selected);
  }
  return selected;
}

function compareFlat(file: string, base: Record<string, unknown>, workspace: Record<string, unknown>): ReportRow[] {
  const names = [...new Set([...Object.keys(base), ...Object.keys(workspace)])];
  return names.map((name) => {
    const before = base[name];
    const after = workspace[name];
    if (typeof before !== 'number' || typeof after !== 'number') return { file, name, base: before, workspace: after };
    const delta = after - before;
    return {
      file,
      name,
      base: before,
      workspace: after,
      delta,
      ...(before !== 0 && Number.isFinite(delta) ? { deltaPercent: (delta / Math.abs(before)) * 100 } : {}),
    };
  });
}
