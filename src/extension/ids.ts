import { STAGE_SCHEMA_FILE_NAMES } from '../engine/pipeline/pipelineFileNames';
/**
 * Every identifier the extension shares with package.json: commands, views, settings, context
 * keys, the task type and the diagnostics collection. A test checks the commands against
 * package.json in both directions, so a new command goes here first.
 */
export const CommandId = {
  runPipeline: 'mlc.runPipeline',
  runStage: 'mlc.runStage',
  stopRun: 'mlc.stopRun',
  refresh: 'mlc.refresh',
  openStage: 'mlc.openStage',
  showRun: 'mlc.showRun',
  showRuns: 'mlc.showRuns',
  compareRuns: 'mlc.compareRuns',
  generateCi: 'mlc.generateCi',
  createPipeline: 'mlc.createPipeline',
  showLogs: 'mlc.showLogs',
  // Models, deployments and the Deploy panel (issue 13).
  registerModel: 'mlc.registerModel',
  promoteModel: 'mlc.promoteModel',
  deploy: 'mlc.deploy',
  rollback: 'mlc.rollback',
  undeploy: 'mlc.undeploy',
  showDeployPanel: 'mlc.showDeployPanel',
  showPipelineGraph: 'mlc.showPipelineGraph',
  showMetrics: 'mlc.showMetrics',
  // Remote runners (issue 14).
  checkRunners: 'mlc.checkRunners',
} as const;
export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export const ViewId = {
  container: 'mlc',
  pipelines: 'mlc.pipelines',
  runs: 'mlc.runs',
  models: 'mlc.models',
  deployments: 'mlc.deployments',
} as const;

export const SettingId = {
  section: 'mlc',
  parallelJobs: 'run.parallelJobs',
  defaultRunner: 'run.defaultRunner',
  ignore: 'ignore',
  maxRuns: 'runs.maxRuns',
  keyMetrics: 'runs.keyMetrics',
  deploymentPollInterval: 'deployments.pollInterval',
  chartsOpenOnRun: 'charts.openOnRun',
} as const;

/** Context keys used in package.json `when` clauses. */
export const ContextKey = {
  active: 'mlc.active',
  /** At least one pipeline stage is known. */
  hasStages: 'mlc.hasStages',
  running: 'mlc.running',
} as const;

/** `contextValue` of tree items, matched by `viewItem` in package.json menus. */
export const TreeItemContext = {
  pipeline: 'mlcPipeline',
  stage: 'mlcStage',
  run: 'mlcRun',
  runRunning: 'mlcRunRunning',
  model: 'mlcModel',
  modelVersion: 'mlcModelVersion',
  /** MLflow registry entries: read-only, so no register/promote/deploy menu matches them. */
  mlflowModel: 'mlcMlflowModel',
  mlflowModelVersion: 'mlcMlflowModelVersion',
  /** A target with a recorded deployment; `mlcDeploymentIdle` when nothing was deployed. */
  deployment: 'mlcDeployment',
  deploymentIdle: 'mlcDeploymentIdle',
  /** The Runners group of the Pipelines view, and one ssh or slurm runner in it. */
  runners: 'mlcRunners',
  runner: 'mlcRunner',
} as const;

export const TASK_TYPE = 'mlc';
export const DIAGNOSTIC_COLLECTION = 'mlc';
export const LOG_CHANNEL_NAME = 'ML Lifecycle';
/** Which editors get CodeLens, hover, diagnostics, definition and completion. */
export const PIPELINE_FILE_GLOB = `**/{${STAGE_SCHEMA_FILE_NAMES.join(',')}}`;
