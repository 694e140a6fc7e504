import { join } from 'node:path';
import { runBundleWithCodeCache } from './codeCacheLoader';

// dist/cli.js, the `mlc` command: starts the CLI bundled beside it (dist/cli.bundle.js, built from
// main.ts) from V8's code cache, which saves compiling the bundle on every start.
runBundleWithCodeCache(join(__dirname, 'cli.bundle.js'));
