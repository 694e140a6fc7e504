// `npm run bench [-- NAME...]`: runs every bench/*.bench.ts (or those whose name contains one of
// the NAMEs) through tsx, each in its own process so that one benchmark's heap, JIT state and
// worker threads do not colour another's figures. Collects the `BENCH_JSON {...}` line each one
// prints last (see bench/support/runBench.ts), prints one table, and writes
// bench/results/latest.json. A benchmark that fails (non-zero exit, crash, no BENCH_JSON line,
// or over BENCH_TIMEOUT_MS, default 300000) is reported and the others still run; the exit code
// is then 1. A missed target is not a failure: timing never gates anything (see bench/README.md).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(repoRoot, 'bench');
const timeoutMs = Number(process.env.BENCH_TIMEOUT_MS ?? 300_000);
const jsonPrefix = 'BENCH_JSON ';

const { formatBenchTable } = await tsImport('../bench/support/benchTable.ts', import.meta.url);

const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const benches = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => ({ name: file.slice(0, -'.bench.ts'.length), file: join(benchDir, file) }))
  .filter(({ name }) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort((a, b) => a.name.localeCompare(b.name));

if (benches.length === 0) {
  process.stderr.write(`no bench/*.bench.ts matches ${filters.join(', ') || '(none found)'}\n`);
  process.exit(2);
}

/** Runs one benchmark, echoing its output live, and resolves with its records and failure if any. */
function runOne({ name, file }) {
  return new Promise((resolveRun) => {
    process.stdout.write(`\n=== bench ${name}\n`);
    const started = Date.now();
    // --expose-gc lets memory benchmarks call global.gc() before reading process.memoryUsage().
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    let payload;
    child.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith(jsonPrefix)) payload = JSON.parse(line.slice(jsonPrefix.length));
        else process.stdout.write(`${line}\n`);
      }
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pending.startsWith(jsonPrefix)) payload = JSON.parse(pending.slice(jsonPrefix.length));
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      let failure = null;
      if (timedOut) failure = `timed out after ${timeoutMs} ms (raise BENCH_TIMEOUT_MS or shrink the data)`;
      else if (code !== 0) failure = payload?.error ?? `exited with ${code ?? signal}`;
      else if (!payload) failure = 'printed no BENCH_JSON line (wrap the benchmark in runBench)';
      process.stdout.write(`=== bench ${name}: ${failure ? 'FAILED' : 'done'} in ${seconds} s\n`);
      resolveRun({ name, records: payload?.records ?? [], failure, seconds: Number(seconds) });
    });
  });
}

const startedAt = new Date().toISOString();
const results = [];
for (const bench of benches) results.push(await runOne(bench));

const records = results.flatMap((result) => result.records);
const failures = results.filter((result) => result.failure).map(({ name, failure }) => ({ bench: name, failure }));
process.stdout.write(`\n${formatBenchTable(records)}\n`);
const unmet = records.filter((record) => record.met === false).length;
process.stdout.write(
  `\n${records.length} figures from ${results.length} benchmarks; ${unmet} targets missed; ${failures.length} benchmarks failed\n`,
);
for (const { bench, failure } of failures) process.stdout.write(`  FAILED ${bench}: ${failure.split('\n')[0]}\n`);

const outputDir = join(benchDir, 'results');
mkdirSync(outputDir, { recursive: true });
const machine = { node: process.version, platform: process.platform, arch: process.arch, cpus: cpus().length };
const document = {
  startedAt,
  endedAt: new Date().toISOString(),
  machine,
  benches: results.map(({ name, seconds, failure }) => ({ name, seconds, failure })),
  records,
};
writeFileSync(join(outputDir, 'latest.json'), `${JSON.stringify(document, null, 2)}\n`);
process.stdout.write(`wrote ${join('bench', 'results', 'latest.json')}\n`);
process.exit(failures.length > 0 ? 1 : 0);
