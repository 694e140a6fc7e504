import * as fs from 'node:fs';
import { dirname, join } from 'node:path';
import { kerasCsvLog, lightningMetricsCsv } from './csvLoggerWriter';
import { dvcliveFiles } from './dvcliveWriter';
import { makeTempDir } from './tempDir';
import { scalarEvents, writeEventFile } from './tfeventsWriter';

/**
 * A temp workspace with one finished run of each file-based source (DVCLive, TensorBoard, Keras,
 * Lightning), written an hour ago so that no run counts as still being written.
 */
export function makeRunsWorkspace(): string {
  const root = makeTempDir('mlc-cli-runs-');
  writeAged(root, {
    ...dvcliveFiles({
      folder: 'dvclive',
      params: 'train:\n  lr: 0.01\n',
      series: {
        'train/loss': [1, 2, 3].map((step) => ({ step, value: 1 / step, timestamp: 1_700_000_000_000 + step * 1000 })),
      },
    }),
    'runs/exp1/events.out.tfevents.1700000100.host.1.0': writeEventFile(
      scalarEvents(
        'acc',
        [0, 1, 2, 3].map((step) => ({ step, value: step / 4, wallTime: 1_700_000_100 + step })),
      ),
    ),
    'keras/training.log': kerasCsvLog([
      { epoch: 0, loss: 0.5 },
      { epoch: 1, loss: 0.25 },
    ]),
    'lightning_logs/version_0/metrics.csv': lightningMetricsCsv([{ step: 10, epoch: 0, val_loss: Number.NaN }]),
  });
  return root;
}

/** Writes files (text or bytes) and dates them an hour back. */
export function writeAged(root: string, files: Record<string, string | Uint8Array>): void {
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const [relative, data] of Object.entries(files)) {
    const path = join(root, relative);
    fs.mkdirSync(dirname(path), { recursive: true });
    fs.writeFileSync(path, data);
    fs.utimesSync(path, hourAgo, hourAgo);
  }
}
