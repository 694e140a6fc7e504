import { appendAuditEntry, type AuditEntryType } from '../../engine/audit/auditLog';
import type { DeployHost } from '../../engine/deploy/ports';
import type { DeployPorts } from '../../engine/deploy/deployModelVersion';
import type { FileSystem, GitClient } from '../../engine/ports';
import { createContentHasher } from '../hashing/createContentHasher';
import { createLocalDeployHost } from './localDeployHost';
import { createSshDeployHost } from './sshDeployHost';
import { SshConnection } from '../runners/sshConnection';
import type { RunnerConfig } from '../../engine/pipeline/model';
import { loadWorkspace } from '../../engine/pipeline/loadWorkspace';
import { findDeclaredTarget } from '../../engine/deploy/deployTargets';
import { systemClock } from '../systemTime';
import { sha256Text } from './sha256Text';

/** The host of the deploy target `name` as the workspace declares it now (this machine when undeclared). */
export function deployHostOfTarget(fs: FileSystem, workspaceRoot: string, name: string): DeployHost {
  const declared = findDeclaredTarget(loadWorkspace(fs, workspaceRoot).pipelines, name);
  return deployHostFor(declared?.runner);
}

/** The machine a deploy target's server runs on: its ssh runner's host, or this one. */
export function deployHostFor(runner: RunnerConfig | undefined): DeployHost {
  return runner?.type === 'ssh' ? createSshDeployHost(new SshConnection(runner), runner) : createLocalDeployHost();
}

/**
 * Every port the registry, gates, deploy and audit need, for one workspace on this machine. The
 * CLI and the extension both build them here; `dispose` releases the hasher's workers.
 */
export function createDeployPorts(options: {
  readonly workspaceRoot: string;
  readonly fs: FileSystem;
  readonly progress: (message: string) => void;
  readonly host?: DeployHost;
  /** The ssh runner a deploy target names: the server runs on its host. Otherwise this machine. */
  readonly runner?: RunnerConfig;
  /** createNodeGitClient in the CLI; the run index worker's in the extension (no simple-git there). */
  readonly git: GitClient;
}): DeployPorts & {
  readonly appendAudit: (type: AuditEntryType, data: Readonly<Record<string, unknown>>) => Promise<void>;
  dispose(): void;
} {
  const hasher = createContentHasher({ workspaceRoot: options.workspaceRoot, fs: options.fs, workers: 0 });
  const git = options.git;
  const clock = systemClock;
  const appendAudit = async (type: AuditEntryType, data: Readonly<Record<string, unknown>>) => {
    await appendAuditEntry({ fs: options.fs, clock, git, sha256: sha256Text }, options.workspaceRoot, type, data);
  };
  return {
    fs: options.fs,
    hasher,
    git,
    clock,
    host: options.host ?? deployHostFor(options.runner),
    progress: options.progress,
    audit: appendAudit,
    appendAudit,
    dispose: () => hasher.dispose(),
  };
}
