import { joinShellArguments, quoteShellArgument } from '../commandLine/quoteShellArgument';
import type { RunnerConfig, Stage } from '../pipeline/model';
import type { RunnerChoice } from './chooseRunner';
import { isShellVariableName, type RemoteStageContext } from './remoteStage';
import type { RunnerFailure } from './runnerFailure';

/**
 * Slurm, pure: the batch script and `sbatch` arguments of a stage, the script that polls a job's
 * state and output, and the mapping of Slurm's job states to mlc's. Slurm does the scheduling;
 * mlc only submits, follows and cancels.
 */

/** Runner keys -> sbatch options (values quoted when the command line is built). */
const RESOURCE_OPTIONS: readonly (readonly [string, string])[] = [
  ['partition', '--partition'],
  ['time', '--time'],
  ['cpus', '--cpus-per-task'],
  ['mem', '--mem'],
  ['gres', '--gres'],
  ['account', '--account'],
  ['qos', '--qos'],
  ['nodes', '--nodes'],
  ['constraint', '--constraint'],
];

/** A job name Slurm shows as is: the address with anything unusual replaced (it is quoted anyway). */
export function slurmJobName(address: string): string {
  return `mlc-${address.replace(/[^A-Za-z0-9._@-]/g, '_')}`.slice(0, 120);
}

/** The batch script: cd to the stage's wdir, the stage's variables, then its command through sh -c. */
export function slurmJobScript(context: RemoteStageContext, command: string, stageDirectory: string): string {
  const exports = Object.entries(context.env)
    .filter(([name]) => isShellVariableName(name))
    .map(([name, value]) => `export ${name}=${quoteShellArgument(value)}`);
  return [
    '#!/bin/sh',
    `cd -- ${quoteShellArgument(stageDirectory)} || exit 1`,
    ...exports,
    `exec sh -c ${quoteShellArgument(command)}`,
    '',
  ].join('\n');
}

/**
 * Whether a stage may join its group's Slurm job array: an expanded foreach/matrix member on a
 * slurm runner, with one command and no retries (a retry or a second command is a job of its own,
 * submitted alone). Returns the group's key (runner and group), or undefined.
 */
export function slurmArrayGroup(stage: Stage, choice: RunnerChoice | undefined): string | undefined {
  if (stage.group === undefined || !choice?.ok || choice.runner.type !== 'slurm') return undefined;
  if (typeof stage.cmd !== 'string' || stage.retries > 0) return undefined;
  return `${choice.runner.name}\0${stage.pipelineFile}\0${stage.group}`;
}

/** One batch script for a job array: each task runs its member's script, chosen by SLURM_ARRAY_TASK_ID. */
export function slurmArrayJobScript(memberScripts: readonly string[]): string {
  const branches = memberScripts.map((script, index) => {
    const body = script.split('\n').filter((line) => line !== '' && !line.startsWith('#!'));
    return [`${index})`, ...body.map((line) => `  ${line}`), '  ;;'].join('\n');
  });
  return [
    '#!/bin/sh',
    'case "$SLURM_ARRAY_TASK_ID" in',
    ...branches,
    '*) echo "mlc: no member for array task $SLURM_ARRAY_TASK_ID" >&2; exit 1 ;;',
    'esac',
    '',
  ].join('\n');
}

/** `sbatch` and its arguments (every value a separate, quoted word); the script comes on stdin. */
export function sbatchArguments(
  runner: RunnerConfig,
  jobName: string,
  outputFile: string,
  errorFile: string,
): string[] {
  const args = ['sbatch', '--parsable', `--job-name=${jobName}`, `--output=${outputFile}`, `--error=${errorFile}`];
  for (const [key, option] of RESOURCE_OPTIONS) {
    const value = runner.options[key];
    if (value !== undefined) args.push(`${option}=${String(value)}`);
  }
  return args;
}

/**
 * Submits the script through a here-document whose delimiter is the random token (a stage's
 * command cannot end it early: the script text is quoted and never has a line equal to it).
 */
export function submitScript(baseFolder: string, sbatch: readonly string[], jobScript: string, token: string): string {
  return [
    `cd -- ${quoteShellArgument(baseFolder)} || { echo "@mlc-${token} workdir-not-writable" >&2; exit 1; }`,
    `command -v sbatch >/dev/null 2>&1 || { echo "@mlc-${token} sbatch-missing" >&2; exit 1; }`,
    `${joinShellArguments(sbatch)} <<'MLC_${token}'`,
    jobScript.trimEnd(),
    `MLC_${token}`,
  ].join('\n');
}

/**
 * One poll: the job's state (`scontrol show job -o`, or sacct once the controller forgot it), then
 * the complete lines of its stdout (on stdout) and stderr (on stderr) from the given line numbers
 * on; `final` also takes a last line without its newline. Counts are reported as
 * `@mlc-<token> lines OUT ERR`.
 */
export function pollScript(
  jobId: string,
  files: { readonly out: string; readonly err: string },
  from: { readonly out: number; readonly err: number },
  token: string,
  final: boolean,
): string {
  const id = quoteShellArgument(jobId);
  const linesOf = (file: string, first: number, variable: string, redirect: string) => {
    const quoted = quoteShellArgument(file);
    const last = final ? '\\$' : `\${${variable}}`;
    return [
      `${variable}=$( (wc -l < ${quoted}) 2>/dev/null || echo 0)`,
      `[ "$${variable}" -ge ${first} ] 2>/dev/null && sed -n "${first},${last}p" ${quoted} ${redirect}`,
      ...(final ? [`[ -s ${quoted} ] && [ -n "$(tail -c 1 ${quoted})" ] && ${variable}=$((${variable} + 1))`] : []),
    ];
  };
  return [
    `state=$(scontrol show job -o ${id} 2>/dev/null | head -n 1)`,
    `if [ -n "$state" ]; then echo "@mlc-${token} job $state" >&2;`,
    `else echo "@mlc-${token} acct $(sacct -j ${id} -X -n -P -o State,ExitCode,Reason 2>/dev/null | head -n 1)" >&2; fi`,
    ...linesOf(files.out, from.out, 'o', ''),
    ...linesOf(files.err, from.err, 'e', '>&2'),
    `echo "@mlc-${token} lines $o $e" >&2`,
  ].join('\n');
}

export interface SlurmJobState {
  /** PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, PREEMPTED, NODE_FAIL… */
  readonly state: string;
  readonly reason?: string;
  readonly exitCode?: number;
  readonly signal?: number;
}

/** Reads `scontrol show job -o` (key=value words) or a `sacct -P` line (State|ExitCode|Reason). */
export function parseSlurmJobState(kind: 'job' | 'acct', text: string): SlurmJobState | undefined {
  if (kind === 'acct') {
    const [state = '', exit = '', reason] = text.trim().split('|');
    const word = state.split(' ')[0] ?? '';
    if (word === '') return undefined;
    return { state: word, ...exitCodeOf(exit), ...(reason && reason !== 'None' ? { reason } : {}) };
  }
  const field = (name: string) => new RegExp(`(?:^| )${name}=(\\S*)`).exec(text)?.[1];
  const state = field('JobState');
  if (!state) return undefined;
  const reason = field('Reason');
  return { state, ...exitCodeOf(field('ExitCode') ?? ''), ...(reason && reason !== 'None' ? { reason } : {}) };
}

function exitCodeOf(text: string): { exitCode?: number; signal?: number } {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) return {};
  return { exitCode: Number(match[1]), ...(Number(match[2]) > 0 ? { signal: Number(match[2]) } : {}) };
}

export type SlurmPhase =
  | { readonly phase: 'queued'; readonly reason: string }
  | { readonly phase: 'running' }
  | {
      readonly phase: 'ended';
      readonly exitCode?: number;
      readonly cancelled?: boolean;
      readonly timedOut?: boolean;
      readonly failure?: RunnerFailure;
    };

/** Slurm's job states as mlc shows them: queued (with the pending reason), running, or how it ended. */
export function slurmPhase(job: SlurmJobState, jobId: string): SlurmPhase {
  const state = job.state.replace(/\+$/, '');
  const reason = job.reason ? ` (${job.reason})` : '';
  switch (state) {
    case 'PENDING':
    case 'CONFIGURING':
    case 'REQUEUED':
    case 'REQUEUE_HOLD':
    case 'RESV_DEL_HOLD':
    case 'SUSPENDED':
      return { phase: 'queued', reason: job.reason ?? state.toLowerCase() };
    case 'RUNNING':
    case 'COMPLETING':
    case 'STAGE_OUT':
    case 'SIGNALING':
    case 'RESIZING':
      return { phase: 'running' };
    case 'COMPLETED':
      return { phase: 'ended', exitCode: job.exitCode ?? 0 };
    case 'FAILED':
      return { phase: 'ended', exitCode: job.exitCode ?? 1 };
    case 'CANCELLED':
      return { phase: 'ended', cancelled: true };
    case 'TIMEOUT':
      return {
        phase: 'ended',
        timedOut: true,
        failure: {
          code: 'timedOut',
          message: `Slurm job ${jobId} reached its time limit (TIMEOUT) and was killed${reason}`,
        },
      };
    case 'OUT_OF_MEMORY':
      return {
        phase: 'ended',
        failure: {
          code: 'jobFailed',
          message: `Slurm job ${jobId} ran out of memory (OUT_OF_MEMORY); ask for more with mem:`,
        },
      };
    case 'PREEMPTED':
      return {
        phase: 'ended',
        failure: {
          code: 'jobFailed',
          message: `Slurm job ${jobId} was preempted by a job of higher priority (PREEMPTED); run it again`,
        },
      };
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
      return {
        phase: 'ended',
        failure: {
          code: 'jobFailed',
          message: `Slurm job ${jobId} failed because its node failed (${state})${reason}`,
        },
      };
    default:
      return {
        phase: 'ended',
        failure: { code: 'jobFailed', message: `Slurm job ${jobId} ended as ${state}${reason}` },
      };
  }
}

/** What sbatch's error says, as the failure a user can act on. */
export function classifySbatchFailure(stderr: string, runner: RunnerConfig): RunnerFailure {
  const text = stderr.trim();
  if (/invalid partition/i.test(text)) {
    return {
      code: 'partitionUnknown',
      message: `Slurm does not know the partition '${String(runner.options.partition ?? '')}' (sinfo lists them): ${text.split('\n').at(-1)}`,
    };
  }
  return { code: 'submitFailed', message: `sbatch refused the job: ${text.split('\n').at(-1) ?? 'no message'}` };
}
