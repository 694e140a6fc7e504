import { join } from 'node:path';
import { runBundleWithCodeCache } from './codeCacheLoader';
import type * as KeptAnswers from './keptAnswers';

// dist/cli.js, the `mlc` command: starts the CLI bundled beside it (dist/cli.bundle.js, built from
// main.ts) from V8's code cache, which saves compiling the bundle on every start. A plain `mlc
// run` or `mlc status` whose last answer still holds is answered before that (keptAnswers.ts,
// built as dist/cli.keptAnswers.js and loaded for those two only): loading the CLI would cost it
// more than the answer itself.
const bundlePath = join(__dirname, 'cli.bundle.js');
const [command, ...commandArgs] = process.argv.slice(2);
if (!answeredFromKeptAnswer()) runBundleWithCodeCache(bundlePath);

function answeredFromKeptAnswer(): boolean {
  if (command !== 'run' && command !== 'status') return false;
  let answer: ReturnType<typeof KeptAnswers.keptAnswerOf>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file beside this one, at run time, for two commands only
    const { keptAnswerOf } = require(join(__dirname, 'cli.keptAnswers.js')) as typeof KeptAnswers;
    answer = keptAnswerOf(command, commandArgs, process.cwd(), bundlePath);
  } catch {
    return false; // not built beside this loader: the CLI answers
  }
  if (answer === undefined) return false;
  process.stdout.write(answer.output.endsWith('\n') ? answer.output : `${answer.output}\n`);
  process.exitCode = answer.exitCode;
  return true;
}
