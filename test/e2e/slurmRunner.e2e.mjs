// A stage on the Slurm runner, run from its CodeLens in the real VS Code: the Pipelines view shows
// it queued (the pending reason in its tooltip), then running, then up to date with a succeeded
// run. The spec starts its own one-node Slurm cluster and an sshd as the cluster's login node
// (scripts/services/*-up.sh, on free ports; stopped in `after`): the extension host's environment
// was fixed when code-server started, so sbatch runs on the login node, whose sessions get the
// cluster's SLURM_CONF. The job waits in PENDING while the spec holds the partition down.
// Screenshots: test-results/screenshots/slurm-NN-<label>.png.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { openContainer, openFile, openWorkbench, screenshotOnFailure, sidebar } from '../support/vscode/workbench.mjs';
import { QUIET_CHARTS, workspaceCopy } from '../support/vscode/workspaceCopy.mjs';

const servicesFolder = resolve(import.meta.dirname, '../../scripts/services');
const needed = ['slurmctld', 'slurmd', 'sbatch', 'scontrol', 'munged', '/usr/sbin/sshd', 'ssh', 'rsync'];
const missing = needed.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
// In CI the spec never skips: a missing Slurm fails it (scripts/setup.sh installs it).
if (missing.length > 0 && process.env.CI === 'true') {
  throw new Error(`CI: the Slurm runner spec needs ${missing.join(', ')} (bash scripts/setup.sh installs them)`);
}
const skip = missing.length > 0 ? `${missing.join(', ')} not installed (bash scripts/setup.sh installs them)` : false;

let workbench;
let folder;
let slurm = {};
/** The services' folder: searchable by everyone (munged refuses a socket below a 0700 folder). */
const servicesRoot = join('/tmp', `mlc-services-${process.getuid?.() ?? 0}`);
let servicesDir;
const downs = [];

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Runs scripts/services/<name>-up.sh and returns the variables it exported; `down` goes to `downs`. */
function startService(name, env) {
  const scriptEnv = { ...process.env, ...env };
  downs.push(() => spawnSync('bash', [join(servicesFolder, `${name}-down.sh`)], { env: scriptEnv, stdio: 'ignore' }));
  const up = spawnSync('bash', [join(servicesFolder, `${name}-up.sh`)], {
    env: scriptEnv,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (up.status !== 0) throw new Error(`${name}-up.sh failed (${up.status}):\n${up.stderr}`);
  return Object.fromEntries([...up.stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((match) => [match[1], match[2]]));
}

const scontrol = (...args) =>
  execFileSync('scontrol', args, { env: { ...process.env, SLURM_CONF: slurm.SLURM_CONF }, encoding: 'utf8' });

/** The tree row of a stage in the Pipelines view. */
const stageRow = (page, name) =>
  sidebar(page)
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }) })
    .first();

async function waitForDescription(page, name, pattern, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (
      await stageRow(page, name)
        .locator('.label-description')
        .textContent({ timeout: 5000 })
        .catch(() => '')
    )?.trim();
    if (pattern.test(last ?? '')) return last;
    await page.waitForTimeout(200);
  }
  assert.fail(`stage ${name}: description "${last}" never matched ${pattern}`);
}

const shotOnFailure = screenshotOnFailure(() => workbench);

before(async () => {
  if (skip) return;
  mkdirSync(servicesRoot, { recursive: true, mode: 0o755 });
  servicesDir = mkdtempSync(join(servicesRoot, `e2e-${process.pid}-`));
  chmodSync(servicesDir, 0o755);
  slurm = startService('slurm', {
    SVC_SLURM_DIR: join(servicesDir, 'slurm'),
    SVC_SLURMCTLD_PORT: String(await freePort()),
    SVC_SLURMD_PORT: String(await freePort()),
  });
  const ssh = startService('sshd', {
    SVC_SSH_DIR: join(servicesDir, 'ssh'),
    SVC_SSH_PORT: String(await freePort()),
    SVC_SSHD_SETENV: `SLURM_CONF=${slurm.SLURM_CONF}`,
  });
  folder = workspaceCopy('churn', { settings: QUIET_CHARTS });
  const workdir = join(servicesDir, 'login-work');
  const pipelineFile = join(folder, 'mlc.yaml');
  // prepare goes to the cluster; a few seconds of sleep first so `running` stays on screen.
  const text = readFileSync(pipelineFile, 'utf8')
    .replace('    cmd: python3 src/prepare.py', '    runner: hpc\n    cmd: sleep 4; python3 src/prepare.py')
    .replace(
      'runners:\n',
      'runners:\n' +
        `  hpc:\n    type: slurm\n    partition: ${JSON.stringify(slurm.SVC_SLURM_PARTITION)}\n    via: login\n    workdir: ${JSON.stringify(workdir)}\n` +
        `  login:\n    type: ssh\n    host: ${JSON.stringify(ssh.SVC_SSH_HOST)}\n    port: ${ssh.SVC_SSH_PORT}\n` +
        `    user: ${JSON.stringify(ssh.SVC_SSH_USER)}\n    identity_file: ${JSON.stringify(ssh.SVC_SSH_KEY)}\n` +
        `    ssh_config: ${JSON.stringify(ssh.SVC_SSH_CONFIG)}\n`,
    );
  assert.match(text, /runner: hpc\n {4}cmd: sleep 4;/, 'the example changed: prepare was not put on the cluster');
  writeFileSync(pipelineFile, text);
  workbench = await openWorkbench(folder, { name: 'slurm' });
});

after(async () => {
  await workbench?.close();
  for (const down of downs.splice(0).reverse()) down();
  if (servicesDir) rmSync(servicesDir, { recursive: true, force: true });
});

test(
  'a stage on the Slurm runner, run from its CodeLens, goes queued (with the reason) -> running -> up to date',
  { skip, timeout: 600_000 },
  shotOnFailure('slurm-stage-queued-running-succeeded', async () => {
    const { page } = workbench;
    await openContainer(page, 'ML');
    await waitForDescription(page, 'prepare', /^never run/, 60_000);
    // Jobs submitted now wait in the queue (PENDING, reason PartitionDown) until the partition is up.
    scontrol('update', `PartitionName=${slurm.SVC_SLURM_PARTITION}`, 'State=DOWN');
    await openFile(page, 'mlc.yaml');
    const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: '▶ Run stage' }).first();
    await lens.waitFor({ timeout: 30_000 });
    await lens.click();

    // Slurm's pending reason is in the row's description (and its tooltip).
    await waitForDescription(page, 'prepare', /^queued · PartitionDown/);
    await workbench.screenshot('queued-with-reason');
    const pending = scontrol('show', 'job', '-o');
    assert.match(pending, /JobState=PENDING/, 'the job waits in the queue');

    scontrol('update', `PartitionName=${slurm.SVC_SLURM_PARTITION}`, 'State=UP');
    await waitForDescription(page, 'prepare', /^running/);
    await workbench.screenshot('running');

    await waitForDescription(page, 'prepare', /^up to date/);
    const runsPane = sidebar(page).locator('.pane', { has: page.locator('.pane-header', { hasText: 'Runs' }) });
    await runsPane
      .locator('.monaco-list-row')
      .first()
      .locator('.label-description', { hasText: /^succeeded/ })
      .waitFor({ timeout: 30_000 });
    await workbench.screenshot('succeeded');
    assert.match(scontrol('show', 'job', '-o'), /JobState=COMPLETED/);
    assert.ok(existsSync(join(folder, 'data/train.csv')), 'the outs came back from the cluster');
  }),
);
