import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The process groups of the stages this process is running, and the watchdog that kills them
 * when this process dies without doing it itself (kill -9, a crash, a closed VS Code window).
 *
 * Stages run in their own process groups (so Ctrl-C in a terminal does not reach them and a kill
 * reaches every process a command started), which also means nothing kills them when mlc dies.
 * Node cannot ask the kernel for a parent-death signal, so a tiny `/bin/sh` watchdog in its own
 * group reads the live group ids from a pipe whose only writer is this process (`+pgid` when a
 * stage starts, `-pgid` when it ended). When this process dies the pipe reaches end of file: the
 * watchdog sends SIGTERM to every group still listed, then SIGKILL after the grace period.
 * The list is kept by awk, which reads the pipe in blocks (the shell's `read`, the fallback when
 * there is no awk, reads one byte per system call: 16,000 reads and a wake-up per line for 1,000
 * stages, per watchdog). The end of a group is told with the next start, or within
 * `UNTRACK_DELAY_MS`: one write per stage instead of two.
 */
const WATCHDOG_SCRIPT = `
trap '' INT HUP
if command -v awk >/dev/null 2>&1; then
  groups=$(awk '/^[+]/ { live[substr($0, 2)] = 1 } /^-/ { delete live[substr($0, 2)] } END { for (group in live) print group }')
else
  groups=' '
  while IFS= read -r line; do
    case "$line" in
      +*) groups="$groups\${line#+} " ;;
      -*) group=\${line#-}
          case "$groups" in *" $group "*) groups="\${groups%% $group *} \${groups#* $group }" ;; esac ;;
    esac
  done
fi
[ -z "$(echo $groups)" ] && exit 0
for group in $groups; do kill -s TERM -- "-$group" 2>/dev/null; done
sleep "$1"
for group in $groups; do kill -s KILL -- "-$group" 2>/dev/null; done
`;

/** Between the watchdog's SIGTERM and SIGKILL: short, the stages' owner is already gone. */
const WATCHDOG_GRACE_SECONDS = 2;

/** How long the end of a group may wait to be told to the watchdog with the next start. */
const UNTRACK_DELAY_MS = 100;

const liveGroups = new Set<number>();
const endedGroups: string[] = [];
let untrackTimer: NodeJS.Timeout | undefined;
let watchdog: ChildProcess | undefined;

/** Records a stage's process group (its shell's pid) while it may be alive. */
export function trackStageGroup(group: number): void {
  if (liveGroups.has(group)) return;
  liveGroups.add(group);
  tellWatchdog(`+${group}`);
}

/** The group is gone (the stage ended and its group was waited for). */
export function untrackStageGroup(group: number): void {
  if (!liveGroups.delete(group)) return;
  // No hurry: a dead group left on the list costs nothing but a failed kill if mlc dies now.
  endedGroups.push(`-${group}\n`);
  untrackTimer ??= setTimeout(() => tellWatchdog(''), UNTRACK_DELAY_MS).unref();
}

/** Sends `signal` to every stage group still alive: the second Ctrl-C's escalation. */
export function killStageGroups(signal: NodeJS.Signals): void {
  for (const group of liveGroups) {
    try {
      process.kill(-group, signal);
    } catch {
      // ESRCH: already gone.
    }
  }
}

/** Sends `line` (none when empty) with the group ends waiting to be told, in one write. */
function tellWatchdog(line: string): void {
  clearTimeout(untrackTimer);
  untrackTimer = undefined;
  const text = endedGroups.join('') + (line === '' ? '' : `${line}\n`);
  endedGroups.length = 0;
  const input = startStageWatchdog()?.stdin;
  if (text !== '' && input && !input.destroyed) input.write(text);
}

/**
 * Starts the watchdog if it is not running yet. Called before a stage is spawned, so that the
 * stage's group id reaches the watchdog in the same synchronous step as the spawn: a watchdog
 * started after the stage would leave a window in which mlc could die with the group unlisted.
 */
export function startStageWatchdog(): ChildProcess | undefined {
  if (watchdog) return watchdog;
  try {
    watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'mlc-stage-watchdog', String(WATCHDOG_GRACE_SECONDS)], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
  } catch {
    return undefined; // no watchdog: stages still die on every orderly path
  }
  // Neither the watchdog nor its pipe may keep this process alive; it ends when the pipe closes.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  watchdog.stdin?.on('error', () => undefined);
  watchdog.on('error', () => undefined);
  return watchdog;
}
