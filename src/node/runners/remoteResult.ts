import type { ProcessResult } from '../../engine/scheduler/ports';

/** Builds a remote stage's ProcessResult: by default no exit code, not cancelled, ending now. */
export function remoteResultSince(startedAt: number): (fields: Partial<ProcessResult>) => ProcessResult {
  return (fields) => ({
    exitCode: undefined,
    signal: undefined,
    timedOut: false,
    cancelled: false,
    ...fields,
    startedAt,
    endedAt: Date.now(),
  });
}

/** This process's environment, for the local ssh, rsync and sbatch processes a runner starts. */
export function processEnvironment(): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) copy[name] = value;
  return copy;
}
