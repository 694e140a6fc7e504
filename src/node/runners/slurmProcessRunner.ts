import { randomBytes } from 'node:crypto';
import { join } from 'pathe';
import { quoteShellArgument } from '../../engine/commandLine/quoteShellArgument';
import { REMOTE_STATE_FOLDER, parseReportLine, prepareScript } from '../../engine/runners/remoteScripts';
import { remoteFailure } from '../../engine/runners/classifyRemoteFailure';
import { remoteWorkdir, type RemoteStageContext } from '../../engine/runners/remoteStage';
import {
  classifySbatchFailure,
  parseSlurmJobState,
  pollScript,
  sbatchArguments,
  slurmJobName,
  slurmArrayJobScript,
  slurmJobScript,
  slurmPhase,
  submitScript,
  type SlurmPhase,
} from '../../engine/runners/slurmJob';
import type { RunnerFailure } from '../../engine/runners/runnerFailure';
import { safeFileName } from '../../engine/runStore/safeFileName';
import type { ProcessResult, ProcessRunner, ProcessSpec, RunningProcess } from '../../engine/scheduler/ports';
import { startProcess } from '../process/nodeProcessRunner';
import { remoteResultSince, processEnvironment } from './remoteResult';
import { rsyncFiles } from './rsyncFiles';
import type { RemoteExecution, SshConnection } from './sshConnection';

/** Between two looks at the job's state and output files. */
const POLL_MS = 500;

/**
 * Runs a stage as a Slurm batch job: `sbatch` on this machine when the cluster's commands are
 * here (the job runs in the workspace itself, on the shared file system), or on a login node
 * through an ssh runner (the deps go to the workdir with rsync first, the outs come back after).
 * Follows the job with `scontrol` (sacct once the controller forgot it), streams its output files,
 * reports queued -> running with Slurm's pending reason, cancels with `scancel`.
 */
export function slurmProcessRunner(via: SshConnection | undefined): ProcessRunner {
  const arrays = new SlurmArrays();
  return { start: (spec, signal) => ({ pid: undefined, result: runJob(via, spec, signal, arrays) }) };
}

async function runJob(
  via: SshConnection | undefined,
  spec: ProcessSpec,
  signal: AbortSignal,
  arrays: SlurmArrays,
): Promise<ProcessResult> {
  const ended = remoteResultSince(Date.now());
  const context = spec.remote;
  if (!context) return ended({ startError: 'the slurm runner needs the stage context (mlc internal error)' });
  if (signal.aborted) return ended({ cancelled: true });
  const token = randomBytes(8).toString('hex');
  const exec = (script: string, execution: RemoteExecution = {}): RunningProcess =>
    via
      ? via.exec(script, execution)
      : startProcess(
          {
            command: script,
            cwd: context.root,
            env: processEnvironment(),
            ...(execution.onLine ? { onLine: execution.onLine } : {}),
          },
          new AbortController().signal,
        );
  const run = scriptRunner(exec);
  const label = via ? via.label : 'this machine';
  // Through ssh the job runs in the runner's workdir (after rsync); here, in the workspace itself.
  let base = context.root;
  let stateFolder = join(context.root, '.mlc', 'slurm');
  if (via) {
    const opened = await via.ensureMaster();
    if (opened) return ended({ runnerFailure: opened });
    base = remoteWorkdir(context.runner, context.root);
    const prepared = await run(prepareScript(context, base, token));
    const words = prepared.stderr.flatMap((line) => parseReportLine(line, token)?.word ?? []);
    if (words.includes('workdir-not-writable')) {
      return ended({
        runnerFailure: {
          code: 'workdirNotWritable',
          message: `the workdir ${base} on ${label} cannot be created or is not writable; set the runner's workdir:`,
        },
      });
    }
    if (!words.includes('ready')) {
      return ended({
        runnerFailure: remoteFailure(
          'hostUnreachable',
          'preparing the workdir',
          label,
          prepared.result.exitCode,
          prepared.stderr.join('\n'),
        ),
      });
    }
    const uploaded = await rsyncFiles(via, 'upload', context.uploads, context.root, base);
    if (uploaded) return ended({ runnerFailure: uploaded });
    stateFolder = REMOTE_STATE_FOLDER;
  } else {
    await run(`mkdir -p -- ${quoteShellArgument(stateFolder)}`);
  }
  const stageDirectory = context.wdir === '' ? '.' : context.wdir;
  const jobScript = slurmJobScript(context, String(spec.command), stageDirectory);
  const submission = { run, base, stateFolder, token, label, context, viaSsh: via !== undefined };
  const member = context.slurmArray ? await arrays.join(context.slurmArray, jobScript, submission) : undefined;
  const submitted = member ?? (await submitJob(submission, context.address, jobScript));
  if ('failure' in submitted) return ended({ runnerFailure: submitted.failure });
  return follow(submitted.jobId, submitted.files, { run, label, spec, signal, ended, context, via, base, token });
}

/** What submitting needs: where (the shell, the base folder, the state folder) and for messages. */
interface Submission {
  readonly run: ScriptRunner;
  readonly base: string;
  readonly stateFolder: string;
  readonly token: string;
  readonly label: string;
  readonly context: RemoteStageContext;
  readonly viaSsh: boolean;
}

type Submitted =
  { readonly jobId: string; readonly files: { out: string; err: string } } | { readonly failure: RunnerFailure };

/** `sbatch` of one job, or of a job array when `array` is given (`%a` in the file names). */
async function submitJob(
  submission: Submission,
  name: string,
  jobScript: string,
  array?: { readonly tasks: number; readonly throttle: number },
): Promise<Submitted> {
  const { run, base, stateFolder, token, label, context } = submission;
  const key = `${safeFileName(name)}-${token}${array ? '_%a' : ''}`;
  const files = { out: join(stateFolder, `${key}.out`), err: join(stateFolder, `${key}.err`) };
  const sbatch = sbatchArguments(context.runner, slurmJobName(name), files.out, files.err);
  if (array) sbatch.push(`--array=0-${array.tasks - 1}%${array.throttle}`);
  const submitted = await run(submitScript(base, sbatch, jobScript, token));
  const submitWords = submitted.stderr.flatMap((line) => parseReportLine(line, token)?.word ?? []);
  if (submitWords.includes('sbatch-missing')) {
    return {
      failure: { code: 'toolMissing', message: `sbatch is not installed on ${label} (is it a Slurm login node?)` },
    };
  }
  const jobId = submitted.stdout.map((line) => line.trim().split(';')[0]).find((line) => /^\d+$/.test(line ?? ''));
  if (submitted.result.exitCode !== 0 || !jobId) {
    if (submission.viaSsh && submitted.result.exitCode === 255) {
      return { failure: remoteFailure('connectionLost', 'sbatch', label, 255, submitted.stderr.join('\n')) };
    }
    return { failure: classifySbatchFailure(submitted.stderr.join('\n'), context.runner) };
  }
  return { jobId, files };
}

/**
 * How long a group's array waits for a member that has not reached sbatch since the last one did:
 * a member found up to date or failing before its command never comes.
 */
const ARRAY_GATHER_MS = 5_000;

/**
 * The members of a foreach/matrix group started together become one job array: it is submitted
 * once all of them reached sbatch (or none more came for ARRAY_GATHER_MS), and every member
 * follows its own task (`JOBID_INDEX`). A lone member is submitted as a plain job.
 */
class SlurmArrays {
  private readonly gathering = new Map<
    string,
    {
      members: { jobScript: string; submission: Submission; done: (submitted: Submitted | undefined) => void }[];
      timer?: ReturnType<typeof setTimeout>;
    }
  >();

  join(
    array: NonNullable<RemoteStageContext['slurmArray']>,
    jobScript: string,
    submission: Submission,
  ): Promise<Submitted | undefined> {
    let group = this.gathering.get(array.group);
    if (!group) this.gathering.set(array.group, (group = { members: [] }));
    const gathered = group;
    return new Promise((done) => {
      gathered.members.push({ jobScript, submission, done });
      clearTimeout(gathered.timer);
      const submit = () => {
        this.gathering.delete(array.group);
        void this.submit(gathered.members, array.throttle);
      };
      if (gathered.members.length >= array.members) submit();
      else gathered.timer = setTimeout(submit, ARRAY_GATHER_MS);
    });
  }

  private async submit(
    members: readonly { jobScript: string; submission: Submission; done: (submitted: Submitted | undefined) => void }[],
    throttle: number,
  ): Promise<void> {
    if (members.length === 1) return members[0]!.done(undefined);
    const first = members[0]!.submission;
    const groupName = first.context.address.split('@')[0] ?? first.context.address;
    const submitted = await submitJob(
      first,
      groupName,
      slurmArrayJobScript(members.map((member) => member.jobScript)),
      { tasks: members.length, throttle },
    ).catch((error: unknown): Submitted => ({ failure: { code: 'submitFailed', message: String(error) } }));
    members.forEach((member, index) =>
      member.done(
        'failure' in submitted
          ? submitted
          : {
              jobId: `${submitted.jobId}_${index}`,
              files: {
                out: submitted.files.out.replace('%a', String(index)),
                err: submitted.files.err.replace('%a', String(index)),
              },
            },
      ),
    );
  }
}

async function follow(
  jobId: string,
  files: { out: string; err: string },
  job: {
    run: ScriptRunner;
    label: string;
    spec: ProcessSpec;
    signal: AbortSignal;
    ended: (fields: Partial<ProcessResult>) => ProcessResult;
    context: RemoteStageContext;
    via: SshConnection | undefined;
    base: string;
    token: string;
  },
): Promise<ProcessResult> {
  const { run, spec, signal, ended, context, via, token } = job;
  // The poll runs from the login folder (ssh) or anywhere (here): name the files from there.
  const inBase = (file: string) => (file.startsWith('/') ? file : join(job.base, file));
  const paths = { out: inBase(files.out), err: inBase(files.err) };
  let cancelled = false;
  let timedOut = false;
  let scancelSent = false;
  const scancel = () => {
    if (scancelSent) return;
    scancelSent = true;
    void run(`scancel ${quoteShellArgument(jobId)}`);
  };
  const onAbort = () => {
    cancelled = true;
    scancel();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  // Stopped while the job was being submitted (or its array gathered): scancel it now.
  if (signal.aborted) onAbort();
  const timeout =
    spec.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          scancel();
        }, spec.timeoutMs);
  const next = { out: 1, err: 1 };
  let shown = '';
  let unreachableSince: number | undefined;
  try {
    for (;;) {
      let phase: SlurmPhase | undefined;
      let counts: number[] | undefined;
      const polled = await run(pollScript(jobId, paths, next, token, false), (stream, line, timestamp) => {
        const report = stream === 'stderr' ? parseReportLine(line, token) : undefined;
        if (!report) {
          spec.onLine?.(stream, line, timestamp);
          return;
        }
        const rest = line.slice(line.indexOf(report.word) + report.word.length + 1);
        if (report.word === 'job' || report.word === 'acct') {
          const state = parseSlurmJobState(report.word, rest);
          if (state) phase = slurmPhase(state, jobId);
          const description = state ? `${state.state}${state.reason ? ` (${state.reason})` : ''}` : '';
          if (description && description !== shown) {
            shown = description;
            spec.onLine?.('stderr', `[slurm] job ${jobId} ${description}`, timestamp);
          }
        } else if (report.word === 'lines') counts = rest.split(' ').map(Number);
      });
      if (counts) {
        next.out = (counts[0] ?? 0) + 1;
        next.err = (counts[1] ?? 0) + 1;
      }
      if (polled.result.exitCode !== 0 && !counts) {
        // The login node stopped answering: give it a while before calling the job lost.
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > 60_000) {
          return ended({
            runnerFailure: {
              code: 'connectionLost',
              message: `lost ${job.label} while following Slurm job ${jobId}; it may still run (squeue -j ${jobId})`,
            },
          });
        }
      } else unreachableSince = undefined;
      const current = phase as SlurmPhase | undefined;
      if (current?.phase === 'queued')
        spec.onPlacement?.({ host: job.label, jobId, state: 'queued', reason: current.reason });
      else if (current?.phase === 'running') spec.onPlacement?.({ host: job.label, jobId, state: 'running' });
      else if (current?.phase === 'ended') {
        spec.onPlacement?.({ host: job.label, jobId });
        const outcome = current;
        // one last poll for the lines written just before the end, then the result
        await run(pollScript(jobId, paths, next, token, true), (stream, line, timestamp) => {
          if (stream === 'stdout' || !parseReportLine(line, token)) spec.onLine?.(stream, line, timestamp);
        });
        return await finish(outcome, { cancelled, timedOut, ended, via, context, base: job.base, label: job.label });
      } else if (polled.result.exitCode === 0 && counts && !phase) {
        return ended({
          runnerFailure: {
            code: 'jobFailed',
            message: `Slurm no longer knows job ${jobId} and has no accounting to ask`,
          },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (timeout) clearTimeout(timeout);
  }
}

async function finish(
  outcome: Extract<SlurmPhase, { phase: 'ended' }>,
  job: {
    cancelled: boolean;
    timedOut: boolean;
    ended: (fields: Partial<ProcessResult>) => ProcessResult;
    via: SshConnection | undefined;
    context: RemoteStageContext;
    base: string;
    label: string;
  },
): Promise<ProcessResult> {
  const { ended } = job;
  if (job.timedOut) return ended({ timedOut: true, signal: 'SIGTERM' });
  if (outcome.cancelled) {
    if (job.cancelled) return ended({ cancelled: true, signal: 'SIGTERM' });
    return ended({
      runnerFailure: { code: 'jobFailed', message: 'the Slurm job was cancelled outside mlc (CANCELLED)' },
    });
  }
  if (outcome.failure)
    return ended({ runnerFailure: outcome.failure, ...(outcome.timedOut ? { timedOut: true } : {}) });
  if (outcome.exitCode === 0 && job.via) {
    const downloaded = await rsyncFiles(job.via, 'download', job.context.downloads, job.context.root, job.base);
    if (downloaded) return ended({ exitCode: 0, runnerFailure: downloaded });
  }
  return ended({ exitCode: outcome.exitCode ?? 1 });
}

type ScriptRunner = (script: string, onLine?: RemoteExecution['onLine']) => Promise<ScriptOutput>;

interface ScriptOutput {
  readonly result: ProcessResult;
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Runs a script through `exec` and keeps its lines (and hands each to onLine). */
function scriptRunner(exec: (script: string, execution?: RemoteExecution) => RunningProcess): ScriptRunner {
  return async (script, onLine) => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const result = await exec(script, {
      onLine: (stream, line, timestamp) => {
        (stream === 'stdout' ? stdout : stderr).push(line);
        onLine?.(stream, line, timestamp);
      },
    }).result;
    return { result, stdout, stderr };
  };
}
