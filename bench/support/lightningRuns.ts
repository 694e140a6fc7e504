import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lightningMetricsCsv } from '../../test/support/csvLoggerWriter';
import type { Random } from './createRandom';

/**
 * `runs` Lightning run folders under `root` (`group_<n % 100>/lightning_logs/version_<n>`), each
 * with hparams.yaml (10 params) and metrics.csv (3 steps x 10 metrics): the run index benches' data.
 */
export function writeLightningRuns(root: string, runs: number, generator: Random): void {
  for (let run = 0; run < runs; run++) {
    const folder = join(root, `group_${run % 100}`, 'lightning_logs', `version_${run}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'hparams.yaml'),
      Array.from({ length: 10 }, (_value, index) => `param_${index}: ${generator.float(0, 1)}`).join('\n') + '\n',
    );
    const metricRows = Array.from({ length: 3 }, (_value, step) =>
      Object.fromEntries([
        ['step', step],
        ...Array.from({ length: 10 }, (_inner, index) => [`metric_${index}`, generator.float(0, 1)]),
      ]),
    );
    writeFileSync(join(folder, 'metrics.csv'), lightningMetricsCsv(metricRows, { lineEnding: '\n' }));
  }
}
