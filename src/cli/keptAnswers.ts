import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { nodeFileSystem } from '../node/nodeFileSystem';
import { type KeptAnswer, type KeptAnswerCommand, keptAnswer } from '../node/workspace/keptAnswer';
import { codeIdentity } from '../node/workspace/workspaceFacts';
import { parseCommandArgs } from './argv';
import { type CliContext, UsageError, workspaceRoot } from './cliContext';

/*
 * What `mlc run` and `mlc status` are asked, and their kept answers (keptAnswer.ts), in a module
 * of its own: dist/cli.js asks it before loading the CLI bundle (dist/cli.keptAnswers.js, see
 * cliEntry.ts), and the two commands ask the same question through the same functions once the
 * bundle is loaded. Loading and initialising the whole CLI costs a fresh process more than
 * checking that nothing changed since the last answer.
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

/** The options of `mlc status` (commands/status.ts). */
export const STATUS_OPTIONS = {
  json: { type: 'boolean' },
  check: { type: 'boolean' },
  watch: { type: 'boolean' },
} as const;

export type RunArgs = ReturnType<typeof parseCommandArgs<typeof RUN_OPTIONS>>;
export type StatusArgs = ReturnType<typeof parseCommandArgs<typeof STATUS_OPTIONS>>;

/** `-j N`: a whole number of stages at least 1; all the machine's cores when not given. */
export function jobsOption(value: string | undefined): number {
  const jobs = value === undefined ? availableParallelism() : Number(value);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new UsageError(`-j expects a whole number of stages at least 1, not '${value}'.`);
  return jobs;
}

/** MLC_KEPT_ANSWERS=0: every question is answered in full. */
const keptAnswersOff = () => process.env.MLC_KEPT_ANSWERS === '0';

/**
 * The question a kept `mlc run` answer is for: the workspace, the folder asked in, the targets,
 * the runner and the output form. Undefined when no kept answer may be given: --force and
 * --dry-run always look.
 */
export function runAnswerKey({ values, positionals }: RunArgs, root: string, cwd: string): string | undefined {
  if (values.force === true || values['dry-run'] === true || keptAnswersOff()) return undefined;
  return JSON.stringify([root, resolve(cwd), positionals, values.runner ?? null, values.json === true]);
}

/**
 * The question a kept `mlc status` answer is for: the workspace, the folder asked in (the report
 * shows pipeline files relative to it), the targets, the output form and --check (the exit code).
 * Undefined for --watch, which reports every change as it comes.
 */
export function statusAnswerKey({ values, positionals }: StatusArgs, root: string, cwd: string): string | undefined {
  if (values.watch === true || keptAnswersOff()) return undefined;
  return JSON.stringify([root, resolve(cwd), positionals, values.json === true, values.check === true]);
}

/**
 * Marks, in the process, that dist/cli.js already asked for the kept answer and found none, so the
 * command of the bundle it then loads does not read the same files again. The loader and the
 * bundle are separate module instances in one process: the global symbol registry is what they share.
 */
const KEPT_ANSWER_ASKED = Symbol.for('mlc.keptAnswerAsked');

/** Whether this process already asked for the kept answer (keptAnswerOf, from dist/cli.js). */
export function keptAnswerAsked(): boolean {
  return (globalThis as Record<symbol, unknown>)[KEPT_ANSWER_ASKED] === true;
}

/**
 * The kept answer to `mlc <command> <args>` when the last answer to the same question still
 * holds (`bundlePath`: the CLI bundle that would answer, whose identity the kept answer names).
 * Undefined for anything else, bad usage included: the whole CLI then answers, and reports it.
 */
export function keptAnswerOf(
  command: KeptAnswerCommand,
  args: readonly string[],
  cwd: string,
  bundlePath: string,
): KeptAnswer | undefined {
  try {
    const root = workspaceRoot({ fs: nodeFileSystem, cwd });
    let key: string | undefined;
    if (command === 'run') {
      const parsed = parseCommandArgs(args, RUN_OPTIONS);
      jobsOption(parsed.values.jobs);
      key = runAnswerKey(parsed, root, cwd);
    } else {
      key = statusAnswerKey(parseCommandArgs(args, STATUS_OPTIONS), root, cwd);
    }
    if (key === undefined) return undefined;
    (globalThis as Record<symbol, unknown>)[KEPT_ANSWER_ASKED] = true;
    return keptAnswer(nodeFileSystem, root, command, { code: codeIdentity(bundlePath), key });
  } catch {
    return undefined;
  }
}

/**
 * The context an answer that may be kept is computed in: what it prints on stdout is noted (the
 * kept output), and whether it said anything on stderr, a warning or an error (an answer that did
 * is not kept: given again, it would say nothing of what was wrong).
 */
export function noteOutput(context: CliContext): {
  readonly context: CliContext;
  readonly stdout: () => string;
  readonly saidMore: () => boolean;
} {
  const printed: string[] = [];
  let saidMore = false;
  const { logger } = context;
  return {
    context: {
      ...context,
      print(text) {
        printed.push(text);
        context.print(text);
      },
      printDiagnostic(text) {
        saidMore = true;
        context.printDiagnostic(text);
      },
      logger: {
        debug: (message, details) => logger.debug(message, details),
        info: (message, details) => logger.info(message, details),
        warn(message, details) {
          saidMore = true;
          logger.warn(message, details);
        },
        error(message, details) {
          saidMore = true;
          logger.error(message, details);
        },
      },
    },
    stdout: () => printed.join('\n'),
    saidMore: () => saidMore,
  };
}
