// scripts/setup.sh runs under `npm test` and `npm start`; the npm it starts must not inherit the
// outer npm's settings (its user agent names the outer Node, which code-server's install refuses).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const outerNpm = {
  npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
  npm_config_nodedir: '/usr',
  npm_package_name: 'mlc',
  npm_lifecycle_event: 'test',
  npm_lifecycle_script: 'node scripts/test-all.mjs',
  npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
  npm_node_execpath: '/usr/bin/node',
  npm_command: 'run-script',
  INIT_CWD: '/somewhere',
};

test('forget-outer-npm.sh unsets what an outer npm passes down and keeps everything else', () => {
  const result = spawnSync('bash', ['-c', 'source scripts/forget-outer-npm.sh && env'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, MLC_SETUP_CLEAN: '0', ...outerNpm },
  });
  assert.equal(result.status, 0, result.stderr);
  const names = result.stdout.split('\n').map((line) => line.split('=')[0]);
  for (const name of Object.keys(outerNpm)) assert.ok(!names.includes(name), `${name} is still set`);
  assert.ok(names.includes('MLC_SETUP_CLEAN'));
  assert.ok(names.includes('PATH'));
});

test('setup.sh forgets the outer npm before it starts any npm', () => {
  const lines = readFileSync('scripts/setup.sh', 'utf8').split('\n');
  const forgets = lines.findIndex((line) => line.trim() === 'source scripts/forget-outer-npm.sh');
  const firstNpm = lines.findIndex((line) => /^\s*[^#]*\bnpm (ci|install)\b/.test(line));
  assert.ok(forgets >= 0, 'setup.sh does not source scripts/forget-outer-npm.sh');
  assert.ok(forgets < firstNpm, 'setup.sh starts npm before it forgets the outer npm');
});
