import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { type Measurement, summarise } from './measure';

export interface ProcessCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Added to this process's environment (e.g. `MLC_CODE_CACHE: '0'`). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Wall time of whole processes, each a fresh spawn, the commands taking turns (mlc, baseline,
 * mlc, baseline...): on a shared machine a burst of load then lands on both sides of a ratio
 * rather than on one. A command that exits non-zero throws with its stderr.
 *
 *   const [mlc, git] = timeProcesses([{ command: process.execPath, args: [cli, 'status'], cwd }, ...]);
 */
export function timeProcesses(
  commands: readonly ProcessCommand[],
  { warmup = 1, iterations = 7 }: { warmup?: number; iterations?: number } = {},
): Measurement[] {
  const samples = commands.map((): number[] => []);
  for (let round = 0; round < warmup + iterations; round++) {
    for (const [index, { command, args, cwd, env }] of commands.entries()) {
      const started = performance.now();
      const result = spawnSync(command, args, {
        cwd,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
        ...(env ? { env: { ...process.env, ...env } } : {}),
      });
      const elapsed = performance.now() - started;
      if (result.status !== 0) {
        throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${String(result.stderr).slice(-2000)}`);
      }
      if (round >= warmup) samples[index]!.push(elapsed);
    }
  }
  return samples.map((taken) => summarise(taken));
}
