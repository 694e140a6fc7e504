import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DeploymentHealth } from '../../../../src/engine/alerts/alertMonitor';
import { deploymentAlertRules, deploymentOutageAlerts } from '../../../../src/engine/alerts/deploymentOutages';
import type { Pipeline } from '../../../../src/engine/pipeline/model';

const rules = deploymentAlertRules('/ws', [
  {
    file: '/ws/mlc.yaml',
    alerts: [
      { deployment: 'local', position: { line: 30, column: 5 } },
      { metric: 'loss', when: 'nan', position: { line: 31, column: 5 } },
    ],
  } as unknown as Pipeline,
]);
const down = (reason: string): DeploymentHealth => ({ state: 'down', reason });
const up: DeploymentHealth = { state: 'up' };

test('only the deployment: rules are watched between runs, with their pipeline file relative to the root', () => {
  assert.deepEqual(
    rules.map((entry) => [entry.pipeline, entry.rule.deployment]),
    [['mlc.yaml', 'local']],
  );
});

test('a deployment-down alert fires once per outage, and again after the target was seen up', () => {
  let inOutage: ReadonlySet<string> = new Set();
  const round = (health: DeploymentHealth | undefined, now: number) => {
    const result = deploymentOutageAlerts(rules, new Map([['local', health]]), inOutage, now);
    inOutage = result.inOutage;
    return result.fired;
  };
  assert.deepEqual(round(up, 1), []);
  const first = round(down('its server process (pid 42) is no longer running'), 2);
  assert.deepEqual(
    first.map((alert) => [alert.kind, alert.deployment, alert.pipeline, alert.line, alert.firedAt, alert.message]),
    [
      [
        'deploymentDown',
        'local',
        'mlc.yaml',
        30,
        2,
        'the deployment local is down: its server process (pid 42) is no longer running',
      ],
    ],
  );
  assert.deepEqual(round(down('still down'), 3), [], 'the same outage: no second alert');
  assert.deepEqual(round(undefined, 4), [], 'not known yet: the outage goes on');
  assert.deepEqual(round(down('still down'), 5), []);
  assert.deepEqual(round(up, 6), []);
  assert.equal(round(down('down again'), 7).length, 1, 'a new outage');
  assert.deepEqual(round({ state: 'notDeployed' }, 8), []);
  assert.equal(round(down('after a redeploy'), 9).length, 1);
});

test('a target no rule names raises no alert', () => {
  const result = deploymentOutageAlerts(rules, new Map([['staging', down('gone')]]), new Set(), 1);
  assert.deepEqual(result.fired, []);
  assert.deepEqual([...result.inOutage], ['staging']);
});
