import { join } from 'node:path';
import { runBundleWithCodeCache } from './codeCacheLoader';
import type * as KeptRunAnswer from './keptRunAnswer';

// dist/cli.js, the `mlc` command: starts the CLI bundled beside it (dist/cli.bundle.js, built from
// main.ts) from V8's code cache, which saves compiling the bundle on every start. A plain `mlc
// run` whose last up-to-date answer still holds is answered before that (keptRunAnswer.ts, built
// as dist/cli.keptRun.js and loaded for `run` only): loading the CLI would cost it more than
// the answer itself.
const bundlePath = join(__dirname, 'cli.bundle.js');
const args = process.argv.slice(2);
if (!(args[0] === 'run' && answeredFromKeptVerdict(args.slice(1)))) runBundleWithCodeCache(bundlePath);

function answeredFromKeptVerdict(runArgs: readonly string[]): boolean {
  let output: string | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file beside this one, at run time, for `run` only
    const { keptRunAnswer } = require(join(__dirname, 'cli.keptRun.js')) as typeof KeptRunAnswer;
    output = keptRunAnswer(runArgs, process.cwd(), bundlePath);
  } catch {
    return false; // not built beside this loader: the CLI answers
  }
  if (output === undefined) return false;
  process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
  return true;
}
