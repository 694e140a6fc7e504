import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { startStageWatchdog, trackStageGroup, untrackStageGroup } from '../../../../src/node/process/stageGroups';
import { waitFor } from '../../../support/mlcCli';

/** `/proc/<pid>/io` of the process and its children: bytes and system calls they read. */
function readsOf(pid: number): { bytes: number; calls: number } {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  let bytes = 0;
  let calls = 0;
  for (const each of pids) {
    try {
      const io = readFileSync(`/proc/${each}/io`, 'utf8');
      bytes += Number(/rchar: (\d+)/.exec(io)?.[1] ?? 0);
      calls += Number(/syscr: (\d+)/.exec(io)?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return { bytes, calls };
}

test(
  'the stage watchdog reads its list of groups in blocks, not one system call per byte',
  {
    // Counting the watchdog's reads needs Linux's per-process I/O accounting; CI has it, so there
    // its absence fails instead of skipping.
    skip:
      !existsSync('/proc/self/io') &&
      (process.env.CI === 'true' ? assert.fail('CI: /proc/<pid>/io is needed to count the watchdog reads') : true),
  },
  async () => {
    const watchdog = startStageWatchdog();
    assert.ok(watchdog?.pid);
    const before = readsOf(watchdog.pid);
    // Group ids above any pid_max: if this process died mid-test, the watchdog's kills find nothing.
    const stages = 300;
    let told = 0;
    for (let index = 0; index < stages; index++) {
      const group = 2_000_000_000 + index;
      trackStageGroup(group);
      untrackStageGroup(group);
      told += `+${group}\n-${group}\n`.length;
    }
    // The last end is told within 100 ms; then every byte has crossed the pipe.
    const after = await waitFor(
      () => {
        const reads = readsOf(watchdog.pid!);
        return reads.bytes - before.bytes >= told ? reads : undefined;
      },
      60_000,
      'the watchdog to read the list',
    );
    const calls = after.calls - before.calls;
    // `read` in /bin/sh takes one byte per call: 22 bytes a stage would be thousands of calls.
    // Reading in blocks takes about one call per write mlc makes (one per stage, or fewer when
    // writes queue up); a loaded machine adds a few (a write split across two reads): 312 calls for
    // 300 stages were seen at load 5.
    assert.ok(calls < 2 * stages, `${calls} read calls for ${stages} stages (${told} bytes)`);
  },
);
