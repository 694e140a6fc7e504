import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { nodeFileSystem } from '../node/nodeFileSystem';
import { upToDateVerdict } from '../node/workspace/upToDateVerdict';
import { codeIdentity } from '../node/workspace/workspaceFacts';
import { parseCommandArgs } from './argv';
import { UsageError, workspaceRoot } from './cliContext';

/*
 * What `mlc run` is asked, and its kept "nothing to do" answer (upToDateVerdict), in a module of
 * its own: dist/cli.js asks it before loading the CLI bundle (dist/cli.keptRun.js, see
 * cliEntry.ts), and the run command asks the same question through the same functions once the
 * bundle is loaded. Loading and initialising the whole CLI costs a fresh process more than
 * checking that nothing changed since the last up-to-date answer.
 */

/** The options of `mlc run` (commands/run.ts). */
export const RUN_OPTIONS = {
  jobs: { type: 'string', short: 'j' },
  force: { type: 'boolean', short: 'f' },
  'keep-going': { type: 'boolean', short: 'k' },
  'dry-run': { type: 'boolean' },
  runner: { type: 'string' },
  'fail-on-alert': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export type RunArgs = ReturnType<typeof parseCommandArgs<typeof RUN_OPTIONS>>;

/** `-j N`: a whole number of stages at least 1; all the machine's cores when not given. */
export function jobsOption(value: string | undefined): number {
  const jobs = value === undefined ? availableParallelism() : Number(value);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new UsageError(`-j expects a whole number of stages at least 1, not '${value}'.`);
  return jobs;
}

/**
 * The question a kept answer is for: the workspace, the folder asked in, the targets, the runner
 * and the output form. Undefined when no kept answer may be given: --force and --dry-run always
 * look, and MLC_RUN_VERDICT=0 always answers in full.
 */
export function runVerdictKey({ values, positionals }: RunArgs, root: string, cwd: string): string | undefined {
  if (values.force === true || values['dry-run'] === true || process.env.MLC_RUN_VERDICT === '0') return undefined;
  return JSON.stringify([root, resolve(cwd), positionals, values.runner ?? null, values.json === true]);
}

/**
 * Marks, in the process, that dist/cli.js already asked for the kept answer and found none, so the
 * run command of the bundle it then loads does not read the same files again. The loader and the
 * bundle are separate module instances in one process: the global symbol registry is what they share.
 */
const KEPT_ANSWER_ASKED = Symbol.for('mlc.keptRunAnswerAsked');

/** Whether this process already asked for the kept answer (keptRunAnswer, from dist/cli.js). */
export function keptAnswerAsked(): boolean {
  return (globalThis as Record<symbol, unknown>)[KEPT_ANSWER_ASKED] === true;
}

/**
 * What `mlc run <args>` prints when the last up-to-date answer to the same question still holds
 * (`bundlePath`: the CLI bundle that would answer, whose identity the kept answer names).
 * Undefined for anything else, bad usage included: the whole CLI then answers, and reports it.
 */
export function keptRunAnswer(args: readonly string[], cwd: string, bundlePath: string): string | undefined {
  try {
    const parsed = parseCommandArgs(args, RUN_OPTIONS);
    jobsOption(parsed.values.jobs);
    const context = { fs: nodeFileSystem, cwd };
    const root = workspaceRoot(context);
    const key = runVerdictKey(parsed, root, cwd);
    if (key === undefined) return undefined;
    (globalThis as Record<symbol, unknown>)[KEPT_ANSWER_ASKED] = true;
    return upToDateVerdict(nodeFileSystem, root, { code: codeIdentity(bundlePath), key });
  } catch {
    return undefined;
  }
}
