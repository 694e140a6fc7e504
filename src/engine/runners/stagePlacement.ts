import type { StageRunRecord } from '../runStore/runRecord';

/**
 * Where a stage of a run record ran, as one short line for the views: the runner, the host and
 * the Slurm job id, and for a job still waiting in Slurm's queue its pending reason
 * (`cluster · login@hpc · Slurm job 42 · queued: Priority`). Undefined for a stage run on this
 * machine: the record keeps no placement for those.
 */
export function describeStagePlacement(
  stage: Pick<StageRunRecord, 'runner' | 'host' | 'jobId' | 'queuedReason'>,
): string | undefined {
  const parts = [
    stage.runner,
    stage.host,
    stage.jobId === undefined ? undefined : `Slurm job ${stage.jobId}`,
    stage.queuedReason === undefined ? undefined : `queued: ${stage.queuedReason}`,
  ].filter((part): part is string => part !== undefined && part !== '');
  return parts.length === 0 ? undefined : parts.join(' · ');
}
