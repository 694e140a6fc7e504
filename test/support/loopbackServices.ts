import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';

/**
 * Starts the real servers the runner tests talk to (an sshd on 127.0.0.1, a one-node Slurm
 * cluster) with the project's own scripts/services/*-up.sh, once per test file, and stops them
 * with *-down.sh when the file's process exits. In CI (`CI=true`) a missing server binary fails
 * the test: these suites never skip there. Elsewhere the suite is skipped with one line saying
 * what is missing (scripts/setup.sh installs it).
 */
const servicesFolder = resolve(__dirname, '../../scripts/services');

export type LoopbackService = 'ssh' | 'slurm';

const binaries: Record<LoopbackService, readonly string[]> = {
  ssh: ['/usr/sbin/sshd', 'ssh', 'rsync'],
  slurm: ['slurmctld', 'slurmd', 'sbatch', 'munged'],
};

/** Why the service cannot start here, or undefined when its binaries are installed. */
export function missingBinaries(service: LoopbackService): string | undefined {
  const missing = binaries[service].filter((binary) =>
    binary.startsWith('/') ? !existsSync(binary) : spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0,
  );
  return missing.length === 0 ? undefined : `${missing.join(', ')} not installed (bash scripts/setup.sh installs them)`;
}

/**
 * The `skip` option for a suite: false when it can run; a reason outside CI; in CI it throws, so
 * the suite fails instead of passing without running.
 */
export function skipUnlessInstalled(service: LoopbackService): string | false {
  const missing = missingBinaries(service);
  if (!missing) return false;
  if (process.env.CI === 'true') throw new Error(`CI: the ${service} runner tests need ${missing}`);
  return `${service} runner tests skipped: ${missing}`;
}

/** A folder every user may search (munged refuses a socket below a 0700 folder such as mktemp -d's). */
function servicesRoot(): string {
  const base = join('/tmp', `mlc-services-${process.getuid?.() ?? 0}`);
  mkdirSync(base, { recursive: true, mode: 0o755 });
  return mkdtempSyncSearchable(base);
}

function mkdtempSyncSearchable(base: string): string {
  const folder = mkdtempSync(join(base, `${process.pid}-`));
  execFileSync('chmod', ['755', folder]);
  return folder;
}

export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/**
 * `count` distinct ports nobody listens on now: each is held open until all are found, so the
 * kernel cannot hand out the same one twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolveServer, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolveServer(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === 'object' && address ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((closed) => server.close(closed))));
  return ports;
}

/** Starts the service and returns the variables its up script exported (SVC_SSH_PORT, SLURM_CONF…). */
export function startService(service: LoopbackService, env: Record<string, string> = {}): Record<string, string> {
  const folder = join(servicesRoot(), service);
  const variable = service === 'ssh' ? 'SVC_SSH_DIR' : 'SVC_SLURM_DIR';
  const scriptEnv = { ...process.env, ...env, [variable]: folder };
  const down = () => {
    spawnSync('bash', [join(servicesFolder, `${service === 'ssh' ? 'sshd' : 'slurm'}-down.sh`)], {
      env: scriptEnv,
      stdio: 'ignore',
    });
    rmSync(resolve(folder, '..'), { recursive: true, force: true });
  };
  process.once('exit', down);
  const up = spawnSync('bash', [join(servicesFolder, `${service === 'ssh' ? 'sshd' : 'slurm'}-up.sh`)], {
    env: scriptEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (up.status !== 0) throw new Error(`${service}: the up script failed (${up.status}):\n${up.stderr}`);
  const exported: Record<string, string> = {};
  for (const match of up.stdout.matchAll(/^export (\w+)=(.*)$/gm)) exported[match[1]!] = match[2]!;
  return exported;
}
