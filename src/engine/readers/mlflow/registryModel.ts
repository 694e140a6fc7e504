import type { Problem } from '../../problems';

/**
 * MLflow's model registry as mlc reads it, the same shape for the file store (`mlruns/models/`)
 * and the SQLite store (`registered_models`, `model_versions`, `registered_model_aliases`).
 * Times are epoch ms. Soft-deleted versions (stage `Deleted_Internal`) are left out.
 */
export interface MlflowRegistry {
  /** The `mlruns` folder or the `mlflow.db` file the registry was read from. */
  readonly location: string;
  readonly models: readonly MlflowRegisteredModel[];
}

export interface MlflowRegisteredModel {
  readonly name: string;
  readonly description?: string;
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly tags: Readonly<Record<string, string>>;
  /** Alias -> version number (`champion` -> 3). `latest` is resolved by MLflow, never stored. */
  readonly aliases: Readonly<Record<string, number>>;
  /** Ascending by version number. */
  readonly versions: readonly MlflowModelVersion[];
}

/** MLflow's legacy stages; aliases replace them in MLflow 2.9+, but old registries use them. */
export type MlflowModelStage = 'None' | 'Staging' | 'Production' | 'Archived';

export interface MlflowModelVersion {
  readonly version: number;
  /** Where the model files are, as MLflow recorded it (`runs:/…`, `file:///…`, `mlflow-artifacts:/…`). */
  readonly source?: string;
  /** The MLflow run that produced it; its mlc run id is `mlflow:<runId>`. */
  readonly runId?: string;
  /** `READY`, `PENDING_REGISTRATION` or `FAILED_REGISTRATION`. */
  readonly status?: string;
  readonly stage: MlflowModelStage | string;
  /** The aliases pointing at this version (the same facts as the model's `aliases`). */
  readonly aliases: readonly string[];
  readonly description?: string;
  readonly createdAt?: number;
  readonly updatedAt?: number;
  readonly userId?: string;
  readonly storageLocation?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** MLflow's marker for a soft-deleted version: its folder or row stays, it must not be shown. */
export const DELETED_STAGE = 'Deleted_Internal';

/** Fills each version's `aliases` from the model's alias map and sorts versions by number. */
export function linkAliases(
  versions: readonly Omit<MlflowModelVersion, 'aliases'>[],
  aliases: Readonly<Record<string, number>>,
): MlflowModelVersion[] {
  return [...versions]
    .sort((left, right) => left.version - right.version)
    .map((version) => ({
      ...version,
      aliases: Object.keys(aliases)
        .filter((alias) => aliases[alias] === version.version)
        .sort(),
    }));
}

/** The registries of every MLflow store the run index found, with what could not be read. */
export interface MlflowRegistryListing {
  readonly registries: readonly MlflowRegistry[];
  readonly problems: readonly Problem[];
}
