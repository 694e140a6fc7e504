import { quoteShellArgument } from '../commandLine/quoteShellArgument';
import { isShellVariableName, type RemoteStageContext } from './remoteStage';

/**
 * The shell scripts mlc runs on a remote host (through `ssh host sh -c SCRIPT`). Every value mlc
 * puts into them (workdir, paths, the command, variables, the job key) goes through
 * quoteShellArgument. They report to mlc on stderr with lines `@mlc-<token> <word> [value]`: the
 * token is random per stage attempt, so a stage's own output cannot pass for one of them.
 */

/** The folder inside the workdir that holds each remote stage's pid, status and output files. */
export const REMOTE_STATE_FOLDER = '.mlc-remote';

/** `cd` into the workdir from the login folder (a relative workdir is under the home folder). */
export function enterWorkdir(workdir: string, token: string, create: boolean): string {
  const quoted = quoteShellArgument(workdir);
  const make = create ? `mkdir -p -- ${quoted} 2>/dev/null; ` : '';
  return `cd || exit 1; ${make}cd -- ${quoted} 2>/dev/null && [ -w . ] || { echo "@mlc-${token} workdir-not-writable" >&2; exit 1; }`;
}

/** Makes the workdir (and checks it is writable), checks rsync is there, and deletes the stage's non-persist outs. */
export function prepareScript(context: RemoteStageContext, workdir: string, token: string): string {
  return [...prepareLines(context, workdir, token), `echo "@mlc-${token} ready" >&2`].join('\n');
}

function prepareLines(context: RemoteStageContext, workdir: string, token: string): string[] {
  const lines = [
    enterWorkdir(workdir, token, true),
    `command -v rsync >/dev/null 2>&1 || { echo "@mlc-${token} rsync-missing" >&2; exit 1; }`,
    `mkdir -p ${REMOTE_STATE_FOLDER}`,
  ];
  if (context.clearOuts.length > 0) lines.push(`rm -rf -- ${context.clearOuts.map(quoteShellArgument).join(' ')}`);
  return lines;
}

/**
 * Starts the command detached from the connection (setsid: its own session and process group, so
 * a dropped connection does not kill it and a cancel reaches every process it started), with
 * stdout and stderr in files that this same session follows (`tail -F --pid`) to stream them
 * back live. The exit code is written by a wrapper shell and reported last. With `prepare`, the
 * script first does what prepareScript does (for a stage with nothing to upload: one ssh session
 * instead of two).
 */
export function launchScript(
  context: RemoteStageContext,
  workdir: string,
  command: string,
  token: string,
  jobKey: string,
  prepare = false,
): string {
  const exports = Object.entries(context.env)
    .filter(([name]) => isShellVariableName(name))
    .map(([name, value]) => `export ${name}=${quoteShellArgument(value)}`);
  const state = `"$PWD"/${REMOTE_STATE_FOLDER}/${quoteShellArgument(jobKey)}`;
  return [
    ...(prepare ? prepareLines(context, workdir, token) : [enterWorkdir(workdir, token, false)]),
    `S=${state}`,
    `rm -f "$S.status"`,
    ...(context.wdir === '' ? [] : [`cd -- ${quoteShellArgument(context.wdir)} || exit 1`]),
    ...exports,
    `: > "$S.out"; : > "$S.err"`,
    `setsid sh -c 'sh -c "$1"; echo $? > "$2"' mlc-stage ${quoteShellArgument(command)} "$S.status" </dev/null >"$S.out" 2>"$S.err" &`,
    'pid=$!',
    'echo "$pid" > "$S.pid"',
    `echo "@mlc-${token} pid $pid" >&2`,
    'tail -s 1 -n +1 -F --pid="$pid" "$S.out" 2>/dev/null & a=$!',
    'tail -s 1 -n +1 -F --pid="$pid" "$S.err" >&2 2>/dev/null & b=$!',
    // tail looks at --pid on its poll or on a change to the file: touching the files once the
    // command ended wakes both at once (their poll is only for a shell that died meanwhile).
    'wait "$pid"',
    'touch "$S.out" "$S.err"',
    'wait "$a" "$b"',
    `if [ -s "$S.status" ]; then echo "@mlc-${token} status $(cat "$S.status")" >&2; else echo "@mlc-${token} signalled" >&2; fi`,
  ].join('\n');
}

/** Signals the process group started by launchScript. */
export function killGroupScript(pid: number, signal: 'TERM' | 'KILL'): string {
  // `kill -TERM -PID` (no `--`, which dash's kill rejects); never a pid that names this shell's group or all.
  const group = Math.trunc(pid);
  return group > 1 ? `kill -${signal} -${group} 2>/dev/null; true` : 'true';
}

/** Wraps a script so the remote login shell hands it to `sh` whatever that login shell is. */
export function remoteShellCommand(script: string): string {
  return `sh -c ${quoteShellArgument(script)}`;
}

/** A report line of one of these scripts (`@mlc-<token> status 3`), or undefined for ordinary output. */
export function parseReportLine(line: string, token: string): { word: string; value?: string } | undefined {
  const prefix = `@mlc-${token} `;
  if (!line.startsWith(prefix)) return undefined;
  const [word = '', value] = line.slice(prefix.length).split(' ', 2);
  return value === undefined ? { word } : { word, value };
}
