import type { Clock } from '../../engine/ports';
import { createCsvLoggerReader } from '../../engine/readers/csvLogger/csvLoggerReader';
import { createDvcliveReader } from '../../engine/readers/dvclive/dvcliveReader';
import { createMlflowFileStoreReader } from '../../engine/readers/mlflow/mlflowFileStoreReader';
import { createTensorboardReader } from '../../engine/readers/tensorboard/tensorboardReader';
import type { RunReader } from '../../engine/runs/model';
import { isProcessAlive } from '../runStore/isOwnerAlive';
import { nodeMlcRunReader } from '../runStore/nodeMlcRunReader';
import { systemClock } from '../systemTime';
import { createMlflowSqliteReader } from './mlflowSqliteReader';

export interface AllRunReadersOptions {
  readonly workspaceRoot: string;
  /** Default: the system clock (tests pass a fixed one). */
  readonly clock?: Clock;
  /** Quiet period after which a file-based run stops counting as running (default 5 minutes). */
  readonly staleAfterMs?: number;
  /** sql-wasm.wasm for the MLflow SQLite reader (default: beside the bundle or in node_modules). */
  readonly wasmPath?: string;
}

/**
 * Every run reader mlc has, in a fixed order (the run index keys its cache by this order): mlc's
 * own runs, MLflow file store and SQLite store, DVCLive, TensorBoard, CSV loggers. Adding a
 * source means adding its reader here (see CONTRIBUTING.md, "How to add a run-output reader").
 */
export function createAllRunReaders(options: AllRunReadersOptions): {
  readonly readers: readonly RunReader[];
  dispose(): void;
} {
  const clock = options.clock ?? systemClock;
  const fileOptions = {
    workspaceRoot: options.workspaceRoot,
    clock,
    staleAfterMs: options.staleAfterMs,
    isProcessAlive,
  };
  const sqliteReader = createMlflowSqliteReader({ wasmPath: options.wasmPath, clock });
  const readers: RunReader[] = [
    nodeMlcRunReader,
    createMlflowFileStoreReader({ clock }),
    sqliteReader,
    createDvcliveReader(fileOptions),
    createTensorboardReader(fileOptions),
    createCsvLoggerReader(fileOptions),
  ];
  return { readers, dispose: () => sqliteReader.dispose() };
}
