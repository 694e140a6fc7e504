import { join, relative } from 'pathe';
import type { ModelConfig, Pipeline } from '../../engine/pipeline/model';
import {
  type ModelVersionRecord,
  type Outcome,
  promoteAlias,
  registerModelVersion,
} from '../../engine/registry/modelRegistry';
import type { RunSummary } from '../../engine/runs/model';
import { readRunRecord } from '../../engine/runStore/readRunRecord';
import { readSummaryMetrics } from '../../engine/runStore/readSummaryMetrics';
import { isOwnerAlive } from '../runStore/isOwnerAlive';
import type { createDeployPorts } from './createDeployPorts';

type LifecyclePorts = ReturnType<typeof createDeployPorts>;

/**
 * Registers a new version of a declared model from a run, and records it in the audit log: the
 * artifact is the model's path; for mlc's own runs it must be the content the run recorded (the
 * md5 of its out); metrics are the run's, overridden by the model's metrics file. `mlc register`
 * and the extension's Register Model both call this.
 */
export async function registerModelFromRun(
  ports: LifecyclePorts,
  request: {
    readonly workspaceRoot: string;
    readonly declared: { readonly model: ModelConfig; readonly pipeline: Pipeline };
    readonly run: RunSummary;
  },
): Promise<Outcome<ModelVersionRecord>> {
  const { workspaceRoot, declared, run } = request;
  const pipelineRoot = declared.pipeline.root;
  const artifactPath = join(pipelineRoot, declared.model.path);
  const record = run.source === 'mlc' ? readRunRecord(ports.fs, run.location, isOwnerAlive).value : undefined;
  const artifactKey = relative(workspaceRoot, artifactPath);
  const runArtifactMd5 = record?.stages.map((stage) => stage.outs?.[artifactKey]).find((md5) => md5 !== undefined);
  const metricsFile = declared.model.metrics !== undefined ? join(pipelineRoot, declared.model.metrics) : undefined;
  const metrics = { ...run.metrics, ...(metricsFile ? readSummaryMetrics(ports.fs, metricsFile) : {}) };
  ports.progress(`Registering ${artifactKey} from run ${run.id} as a new version of ${declared.model.name}`);
  const outcome = await registerModelVersion(ports, {
    workspaceRoot,
    model: declared.model.name,
    artifactPath,
    runId: run.id,
    ...(runArtifactMd5 !== undefined ? { runArtifactMd5 } : {}),
    metrics,
    params: run.params,
  });
  if (outcome.ok) {
    const version = outcome.value;
    await ports.appendAudit('register', {
      model: declared.model.name,
      version: version.version,
      md5: version.md5,
      sourceRun: run.id,
    });
  }
  return outcome;
}

/** Points an alias at a version and records the move in the audit log (`mlc promote`, Promote…). */
export async function promoteModelAlias(
  ports: LifecyclePorts,
  request: { readonly workspaceRoot: string; readonly model: string; readonly version: number; readonly alias: string },
): Promise<Outcome<{ readonly previous?: number }>> {
  const { workspaceRoot, model, version, alias } = request;
  const outcome = promoteAlias(ports.fs, workspaceRoot, model, version, alias);
  if (outcome.ok) {
    await ports.appendAudit('promote', { model, version, alias, previous: outcome.value.previous ?? null });
  }
  return outcome;
}
