import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { quoteShellArgument } from '../../src/engine/commandLine/quoteShellArgument';
import { loadPipeline } from '../../src/engine/pipeline/loadPipeline';
import { enterWorkdir } from '../../src/engine/runners/remoteScripts';
import { slurmJobName } from '../../src/engine/runners/slurmJob';
import { createMemoryFileSystem } from '../support/memoryFileSystem';
import { makeTempDir } from '../support/tempDir';
import { generatedText } from './support/mutate';
import { iterations, printFigure, seededRandom, withSeed } from './support/soak';

/**
 * Values mlc puts into command lines, generated hostile (command substitution, backticks, quotes,
 * globs, separators, newlines, escape sequences), go through a real /bin/sh in an empty folder:
 * each reaches the program as exactly the word it was, and nothing is created. The unit tests of
 * each builder hold the readable cases; this counts the injections tried for the closing note.
 */

const attacks = [
  '$(touch pwned)',
  '`touch pwned`',
  "'; touch pwned; '",
  '"; touch pwned; "',
  '&& touch pwned',
  '| touch pwned',
  '\ntouch pwned\n',
  '$HOME',
  '${IFS}touch${IFS}pwned',
  '*',
  '-rf',
  '--help',
  '\\',
  '\x1b]0;title\x07',
  '> pwned',
  '< /etc/passwd',
];

function hostileValue(random: () => number): string {
  const attack = attacks[Math.floor(random() * attacks.length)]!;
  // No NUL (argv cannot carry one) and no lone surrogate (UTF-8 cannot): both are not shell matters.
  const noise = generatedText(random)
    .replaceAll('\0', '')
    .slice(0, 40)
    .replace(/[\uD800-\uDFFF]/g, '');
  return random() < 0.5 ? attack : `${noise}${attack}${noise}`;
}

/** Runs `script` in an empty folder; returns its stdout and what it created there. */
function runInEmptyFolder(
  parent: string,
  script: string,
): { stdout: string; created: string[]; status: number | null } {
  const folder = mkdtempSync(join(parent, 'sh-'));
  const result = spawnSync('/bin/sh', ['-c', script], {
    cwd: folder,
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  return { stdout: result.stdout, created: readdirSync(folder), status: result.status };
}

test(
  'values mlc puts into command lines never inject, whatever they hold',
  { timeout: iterations(300_000, 3_600_000) },
  () => {
    withSeed('hostile input', (seed) => {
      const random = seededRandom(seed);
      const parent = makeTempDir('mlc-hostile-');
      const rounds = iterations(60, 1000);
      const tried = { quoted: 0, unpacked: 0, workdirs: 0, jobNames: 0 };
      for (let round = 0; round < rounds; round++) {
        // Quoted values (paths, run ids, {model} in deploy commands, stage names): printf shows the words.
        const values = Array.from({ length: 10 }, () => hostileValue(random));
        const quoted = runInEmptyFolder(
          parent,
          values.map((value) => `printf '<%s>' ${quoteShellArgument(value)}`).join('; '),
        );
        assert.equal(quoted.stdout, values.map((value) => `<${value}>`).join(''));
        assert.deepEqual(quoted.created, []);
        tried.quoted += values.length;

        // Dict-unpacked params in cmd: hostile keys and values.
        // (`\${` in a value comes out as `${`: DVC applies the template's escape to the whole
        // interpolated text, substituted values included. Still quoted, so no injection; the
        // backslashes before a `${` are left out here, all of them: removing one `\` of `\\${`
        // would leave a `\${` that the escape then changes.)
        const pairs = Array.from({ length: 5 }, () =>
          [hostileValue(random).replaceAll('\n', ' '), hostileValue(random)].map((text) =>
            text.replace(/\\+(?=\$\{)/g, ''),
          ),
        );
        const params = pairs
          .map(([key, value]) => `  ${JSON.stringify(`k${key}`)}: ${JSON.stringify(value)}`)
          .join('\n');
        const loaded = loadPipeline(
          createMemoryFileSystem({
            '/ws/dvc.yaml': 'stages:\n  s:\n    cmd: printf "<%s>" ${opts}\n',
            '/ws/params.yaml': `opts:\n${params}\n`,
          }),
          '/ws/dvc.yaml',
        );
        const stage = loaded.pipeline.stages[0];
        if (stage && loaded.problems.length === 0) {
          const unpacked = runInEmptyFolder(parent, stage.cmd as string);
          const words = [...new Map(pairs.map(([key, value]) => [`k${key}`, value])).entries()].flatMap(
            ([key, value]) => [`--${key}`, value!],
          );
          assert.equal(unpacked.stdout, words.map((word) => `<${word}>`).join(''), stage.cmd as string);
          assert.deepEqual(unpacked.created, []);
          tried.unpacked += pairs.length * 2;
        }

        // Remote workdirs: the cd of the ssh and Slurm runners, run in a sandboxed HOME.
        // A `..` in a workdir is the user's configuration, not an injection: kept out here.
        const workdir = hostileValue(random).replaceAll('..', '_');
        const home = mkdtempSync(join(parent, 'home-'));
        const entered = spawnSync('/bin/sh', ['-c', `${enterWorkdir(workdir, 'tok', true)} && pwd`], {
          cwd: home,
          encoding: 'utf8',
          env: { PATH: process.env.PATH, HOME: home },
        });
        const outside = readdirSync(parent).filter((name) => !/^(sh|home)-/.test(name));
        assert.deepEqual(outside, [], `workdir ${JSON.stringify(workdir)} created something beside HOME`);
        if (entered.status === 0 && !workdir.startsWith('/'))
          assert.ok(entered.stdout.startsWith(home), entered.stdout);
        tried.workdirs++;

        // Slurm job names: one plain word.
        const name = slurmJobName(hostileValue(random));
        assert.match(name, /^mlc-[A-Za-z0-9._@-]*$/);
        tried.jobNames++;
      }
      const total = tried.quoted + tried.unpacked + tried.workdirs + tried.jobNames;
      printFigure(
        `hostile input: ${total} injections tried (${tried.quoted} quoted values, ${tried.unpacked} dict-unpacked keys and values, ${tried.workdirs} remote workdirs, ${tried.jobNames} Slurm job names), none ran`,
      );
    });
  },
);
