import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot, runMlc } from '../support/mlcCli';
import { breakTraining, expectCode, fetchHealth, killServerGroups } from '../support/churnDeploy';
import { makeTempDir } from '../support/tempDir';

// End to end on a temp copy of examples/churn with its real model server (src/serve.py): the
// spawned CLI trains, registers, gates, deploys, survives a broken version, rolls back and undeploys.

const serverGroups = new Set<number>();

after(() => {
  // Every server a deploy started: stop its process group whatever the test left behind.
  killServerGroups(serverGroups);
});

/** A port nothing listens on now, from the kernel's ephemeral (high) range. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function health(port: number): ReturnType<typeof fetchHealth> {
  return fetchHealth(`http://127.0.0.1:${port}/health`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function current(root: string): { version: number; pid: number } {
  const value = JSON.parse(readFileSync(join(root, '.mlc/deployments/local/current.json'), 'utf8')) as {
    version: number;
    pid: number;
  };
  serverGroups.add(value.pid);
  return value;
}

async function newestRun(root: string): Promise<string> {
  const runs = JSON.parse(expectCode(await runMlc(root, ['runs', '--json']), 0, 'runs').stdout) as {
    runs: { id: string }[];
  };
  return runs.runs[0]!.id;
}

/** The churn example with a free port, no per-epoch delay, and a second target whose gate is out of reach. */
async function churnCopy(): Promise<{ root: string; port: number }> {
  const root = makeTempDir('mlc-deploy-');
  for (const path of ['src', 'data/raw.csv', 'params.yaml', 'mlc.yaml']) {
    cpSync(join(repoRoot, 'examples/churn', path), join(root, path), {
      recursive: true,
      filter: (from) => !from.includes('__pycache__'),
    });
  }
  const port = await freePort();
  const params = readFileSync(join(root, 'params.yaml'), 'utf8').replace(/epoch_delay: .*/, 'epoch_delay: 0');
  writeFileSync(join(root, 'params.yaml'), params);
  const pipeline = readFileSync(join(root, 'mlc.yaml'), 'utf8').replaceAll('8601', String(port));
  const strict = `  strict:\n    model: churn\n    start: python3 src/serve.py --model {model} --port {port}\n    health: http://127.0.0.1:{port}/health\n    gates:\n      - { metric: accuracy, min: 0.99 }\n`;
  writeFileSync(join(root, 'mlc.yaml'), pipeline.replace('\nalerts:', `${strict}\nalerts:`));
  return { root, port };
}

test(
  'register, gate, deploy, a broken version keeps the previous serving, rollback, undeploy, audit verify',
  { timeout: 180_000 },
  async () => {
    const { root, port } = await churnCopy();
    expectCode(await runMlc(root, ['run']), 0, 'run');
    const firstRun = await newestRun(root);
    expectCode(await runMlc(root, ['register', 'churn', '--run', firstRun]), 0, 'register v1');

    const gatePass = expectCode(await runMlc(root, ['gate', 'local']), 0, 'gate local');
    assert.match(gatePass.stdout, /pass {2}accuracy >= 0\.8: /);
    const gateFail = expectCode(await runMlc(root, ['gate', 'strict', '--json']), 1, 'gate strict');
    const failed = JSON.parse(gateFail.stdout) as {
      passed: boolean;
      gates: { gate: string; passed: boolean; threshold: number }[];
    };
    assert.equal(failed.passed, false);
    assert.deepEqual(
      failed.gates.map((gate) => [gate.gate, gate.passed, gate.threshold]),
      [['accuracy >= 0.99', false, 0.99]],
    );

    const deployed = expectCode(await runMlc(root, ['deploy', 'local']), 0, 'deploy v1');
    assert.match(deployed.stderr, /Starting churn v1 on port \d+/);
    const v1 = current(root);
    assert.equal(v1.version, 1);
    const up = await health(port);
    assert.equal(up.status, 200);
    assert.match(up.body.model ?? '', /\.mlc\/registry\/churn\/versions\/1\/model\.json$/);

    breakTraining(root, true);
    expectCode(await runMlc(root, ['run']), 0, 'run broken');
    expectCode(await runMlc(root, ['register', 'churn', '--run', await newestRun(root)]), 0, 'register v2');
    const broken = expectCode(await runMlc(root, ['deploy', 'local', '--health-timeout', '20']), 1, 'deploy v2');
    assert.match(broken.stdout, /Deploy of v2 to local failed: the start command exited with code 1/);
    assert.match(broken.stdout, /trained on other features/);
    assert.match(broken.stdout, /v1 was started again and serves/);
    assert.match((await health(port)).body.model ?? '', /versions\/1\/model\.json$/);
    assert.equal(current(root).version, 1);

    breakTraining(root, false);
    expectCode(await runMlc(root, ['run']), 0, 'run fixed');
    expectCode(await runMlc(root, ['register', 'churn', '--run', await newestRun(root)]), 0, 'register v3');
    expectCode(await runMlc(root, ['deploy', 'local', '--version', '3']), 0, 'deploy v3');
    assert.match((await health(port)).body.model ?? '', /versions\/3\/model\.json$/);

    const rolledBack = expectCode(await runMlc(root, ['rollback', 'local']), 0, 'rollback');
    assert.match(rolledBack.stdout, /Deployed v1 to local/);
    assert.match((await health(port)).body.model ?? '', /versions\/1\/model\.json$/);
    const serving = current(root);

    const listed = JSON.parse(expectCode(await runMlc(root, ['deployments', '--json']), 0, 'deployments').stdout) as {
      deployments: { target: string; version: number | null; health: string }[];
    };
    assert.deepEqual(
      listed.deployments.map((row) => [row.target, row.version, row.health]),
      [
        ['local', 1, 'up'],
        ['strict', null, 'not deployed'],
      ],
    );

    expectCode(await runMlc(root, ['undeploy', 'local']), 0, 'undeploy');
    assert.equal(isAlive(serving.pid), false);
    assert.equal((await health(port)).status, 0);

    const verified = expectCode(await runMlc(root, ['audit', 'verify']), 0, 'audit verify');
    assert.match(verified.stdout, /The audit log is intact/);
    const types = (
      JSON.parse((await runMlc(root, ['audit', '--json'])).stdout) as { entries: { type: string }[] }
    ).entries.map((entry) => entry.type);
    for (const type of ['register', 'gate', 'deploy', 'rollback', 'undeploy']) assert.ok(types.includes(type), type);

    const logPath = join(root, '.mlc/audit.jsonl');
    const lines = readFileSync(logPath, 'utf8').split('\n');
    lines[2] = lines[2]!.replace(/"when":"[^"]+"/, '"when":"2020-01-01T00:00:00.000Z"');
    writeFileSync(logPath, lines.join('\n'));
    const tampered = expectCode(await runMlc(root, ['audit', 'verify']), 1, 'audit verify tampered');
    assert.match(tampered.stdout, /entry 3 \(line 3\) was edited/);
  },
);
