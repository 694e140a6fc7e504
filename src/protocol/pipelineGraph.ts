/**
 * Pipeline Graph panel (`mlc.showPipelineGraph`): the stage DAG of the workspace's pipelines with
 * live stage states. The host sends the graph (nodes, edges, foreach/matrix groups, files) as a
 * full snapshot on `ready`, on visibility and whenever pipelines or states change; the page lays it
 * out (the layout never runs on the extension host) and asks the host to open or run stages.
 */
import { type PanelCommonAction, panelCommonValidators } from './panelCommon';
import { isText, type MessageValidators } from './validateMessage';

export const PIPELINE_GRAPH_VIEW_TYPE = 'mlc.pipelineGraph';

/** The states the Pipelines view shows (`StageState` in src/extension/presentation.ts). */
export const GRAPH_NODE_STATES = [
  'up-to-date',
  'changed',
  'never-run',
  'frozen',
  'queued',
  'running',
  'failed',
  'unknown',
] as const;
export type GraphNodeState = (typeof GRAPH_NODE_STATES)[number];

export interface GraphNode {
  /** The stage address (`train`, `sub/dvc.yaml:train@cnn`): what `mlc run` accepts. */
  readonly id: string;
  /** The stage name as written in its file (`train@cnn`). */
  readonly label: string;
  /** Index into `PipelineGraph.files`. */
  readonly file: number;
  /** 1-based line of the stage's key in its file. */
  readonly line: number;
  readonly state: GraphNodeState;
  /** Why the stage is changed (or failed), as the Pipelines view's tooltip lists them. */
  readonly reasons: readonly string[];
  /** The foreach/matrix group id (see `GraphGroup.id`) this stage was expanded from. */
  readonly group?: string;
  readonly desc?: string;
}

export interface GraphGroup {
  /** `<file index>:<group name>`: unique across files. */
  readonly id: string;
  /** The foreach/matrix stage's name (`train` for `train@cnn`). */
  readonly label: string;
  readonly file: number;
  /** Addresses of the expanded stages, in file order. */
  readonly members: readonly string[];
}

export interface PipelineGraph {
  /** Pipeline files relative to their workspace root (`mlc.yaml`, `nested/dvc.yaml`). */
  readonly files: readonly string[];
  /** In topological order (the engine's stage graph), ties in file order. */
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly (readonly [from: string, to: string])[];
  readonly groups: readonly GraphGroup[];
}

export interface PipelineGraphSnapshot {
  readonly revision: number;
  readonly graph: PipelineGraph;
  /** False in Restricted Mode: the page hides the run buttons and menu entries. */
  readonly trusted: boolean;
  /** Show this file (one of `graph.files`): the graph was opened from that pipeline. */
  readonly focusFile?: string;
}

export type PipelineGraphUpdate = { readonly type: 'snapshotted'; readonly snapshot: PipelineGraphSnapshot };

export type PipelineGraphAction =
  | PanelCommonAction
  | { readonly type: 'openStage'; readonly address: string }
  /** Runs the stage; with `downstream`, every stage that depends on it (directly or not) too. */
  | { readonly type: 'runStage'; readonly address: string; readonly downstream: boolean };

/** The UI state the page saves with setState (hide/show, window reloads). */
export interface PipelineGraphPersistedState {
  /** Index-free: the file's relative path, or '' for every file. */
  readonly file: string;
  readonly collapsed: readonly string[];
  /**
   * The last layout the page computed (webview-ui/pipelineGraph/layoutCache.ts `SavedLayout`),
   * drawn again at once when the panel reopens on a graph of the same shape. Opaque here: the page
   * checks it before use.
   */
  readonly layout?: unknown;
}

const isAddress = (value: unknown) => isText(value, 4096) && value.length > 0;

export const pipelineGraphActionValidators: MessageValidators<PipelineGraphAction> = {
  ...panelCommonValidators,
  openStage: (message) => isAddress(message.address),
  runStage: (message) => isAddress(message.address) && typeof message.downstream === 'boolean',
};
