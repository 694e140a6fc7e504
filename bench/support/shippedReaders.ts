// The reader modules the readers and mlflow benchmarks time, in one entry that `loadBundled`
// bundles the way the product ships them.
export { createDvcliveReader } from '../../src/engine/readers/dvclive/dvcliveReader';
export { readTfRecords } from '../../src/engine/readers/tensorboard/readTfRecords';
export { createTensorboardReader } from '../../src/engine/readers/tensorboard/tensorboardReader';
export { createMlflowFileStoreReader } from '../../src/engine/readers/mlflow/mlflowFileStoreReader';
export { readMetricHistory } from '../../src/engine/readers/mlflow/readMetricHistory';
export { nodeFileSystem } from '../../src/node/nodeFileSystem';
export { createRunIndexService } from '../../src/node/runIndex/createRunIndexService';
