import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { RunLookup } from '../engine/runIndex/queryRunIndex';
import type { RunSummary } from '../engine/runs/model';
import { createRunIndexService, type RunIndexService } from '../node/runIndex/createRunIndexService';
import { runIndexCachePath } from '../node/runIndex/runIndexCache';
import { type CliContext, UsageError, workspaceRoot } from './cliContext';

/*
 * Finding runs for the commands that read them (runs, show, metrics, compare, register, models,
 * report): the run index over the workspace, a run id resolved or refused, a run as JSON.
 */

/** The CLI's run index: over the workspace root (see workspaceRoot); the cache is kept when .mlc/ exists. */
export function openRunIndex(context: CliContext): RunIndexService {
  const root = workspaceRoot(context);
  const hasMlcFolder = existsSync(join(root, '.mlc'));
  return createRunIndexService({
    workspaceRoot: root,
    fs: context.fs,
    cachePath: hasMlcFolder ? runIndexCachePath(root) : false,
    logger: context.logger,
  });
}

/** The `mlc runs --json` shape (PRODUCT.md): every key present, null where a value is absent. */
export function runToJson(run: RunSummary, cwd: string) {
  return {
    id: run.id,
    source: run.source,
    name: run.name,
    status: run.status,
    startedAt: run.startedAt ?? null,
    endedAt: run.endedAt ?? null,
    params: run.params,
    metrics: run.metrics,
    git: run.git ? { commit: run.git.commit ?? null, dirty: run.git.dirty } : null,
    location: relative(cwd, run.location) || '.',
  };
}

/** Answers an unknown or ambiguous id with a usage error that lists the candidates. */
export function requireRun(lookup: RunLookup, runId: string) {
  if (lookup.kind === 'found') return lookup.found;
  if (lookup.kind === 'ambiguous') {
    throw new UsageError(
      `'${runId}' matches several runs: ${lookup.candidates.slice(0, 8).join(', ')}. Give more of the id.`,
    );
  }
  const near = lookup.nearMatches.length > 0 ? ` Did you mean: ${lookup.nearMatches.join(', ')}?` : '';
  throw new UsageError(`no run '${runId}' here (see mlc runs).${near}`);
}
