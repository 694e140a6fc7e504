// The `mlc` command as built into dist/ (scripts/build.mjs) and by the benchmarks (bench/support/
// bundleCli.ts): dist/cli.js is the small loader that runs dist/cli.bundle.js through V8's code
// cache (src/cli/codeCacheLoader.ts). Keys are output names, values paths from the repository root.
export const cliEntryPoints = {
  cli: 'src/cli/cliEntry.ts',
  'cli.bundle': 'src/cli/main.ts',
  // The kept answers of `mlc run` and `mlc status`, which dist/cli.js asks before loading the
  // bundle (src/cli/cliEntry.ts).
  'cli.keptAnswers': 'src/cli/keptAnswers.ts',
};
