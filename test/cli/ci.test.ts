import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { createWorkspace, runMlcSync } from '../support/mlcCli';
import { productDocument } from '../support/realWorldFixtures';

const repoRoot = resolve(__dirname, '../..');
const PIPELINE = `stages:
  train:
    cmd: python3 train.py
    outs: [model.json]
models:
  churn: { path: model.json }
deploy:
  staging:
    model: churn
    runner: local
    start: python3 serve.py --model {model}
  prod eu:
    model: churn
    runner: local
    start: python3 serve.py --model {model}
`;

/** The mlc commands of this branch's command table, and the rest of PRODUCT.md's CLI contract. */
function knownCommands(): Map<string, string> {
  const usages = new Map<string, string>();
  // Outside CI a clone without ../shared checks against the command table alone (stricter: only
  // what is implemented); in CI the contract must be there.
  const product =
    existsSync(productDocument) || process.env.CI
      ? readFileSync(productDocument, 'utf8')
      : '## The `mlc` CLI\n```\n```';
  const contract = /## The `mlc` CLI[\s\S]*?```\n([\s\S]*?)```/.exec(product)![1]!;
  for (const line of contract.split('\n'))
    for (const part of line.split(/ \| /)) {
      const match = /^\s*mlc ([a-z]+)(.*)$/.exec(part.replace(/\s+#.*$/, ''));
      if (match) usages.set(match[1]!, `${usages.get(match[1]!) ?? ''} ${match[2]}`);
    }
  const table = readFileSync(join(repoRoot, 'src/cli/main.ts'), 'utf8');
  for (const [, name] of table.matchAll(/^ {2}(\w+): \(\) => import\('\.\/commands\/\w+'\)/gm)) {
    const source = readFileSync(join(repoRoot, `src/cli/commands/${name}.ts`), 'utf8');
    usages.set(name!, /const usage = `([\s\S]*?)`;/.exec(source)![1]!);
  }
  return usages;
}

/** Every `mlc ...` invocation in a shell text, as its words (quotes removed). */
function mlcInvocations(shell: string): string[][] {
  const invocations: string[][] = [];
  for (const [, rest] of shell.matchAll(/(?:^|[\s;(])mlc ([^;\n>|&]*)/g)) {
    const words = [...rest!.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((word) => word[1] ?? word[2] ?? word[3]!);
    invocations.push(words);
  }
  return invocations;
}

function assertRealMlcCommands(shell: string): number {
  const known = knownCommands();
  const invocations = mlcInvocations(shell);
  for (const [name, ...args] of invocations) {
    const usage = known.get(name!);
    assert.ok(usage, `mlc ${name} is not an mlc command`);
    for (const flag of args.filter((arg) => arg.startsWith('-')))
      assert.ok(new RegExp(`${flag}\\b`).test(usage), `mlc ${name} has no option ${flag}`);
  }
  return invocations.length;
}

function shellOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(shellOf).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(shellOf).join('\n');
  return '';
}

test('mlc ci init github writes a workflow that runs, comments the report, gates every target and deploys on main', () => {
  const root = createWorkspace({ 'mlc.yaml': PIPELINE });
  const result = runMlcSync(root, ['ci', 'init', 'github']);
  assert.equal(result.code, 0, result.stderr);
  const workflow = parse(readFileSync(join(root, '.github/workflows/mlc.yml'), 'utf8')) as {
    on: { push: { branches: string[] }; pull_request: unknown };
    jobs: { pipeline: { steps: { name?: string; uses?: string; if?: string; run?: string }[] } };
  };
  assert.deepEqual(workflow.on.push.branches, ['main']);
  assert.ok('pull_request' in workflow.on);
  const steps = workflow.jobs.pipeline.steps;
  const step = (name: string) => steps.find((candidate) => candidate.name === name)!;
  assert.equal(steps[0]!.uses, 'actions/checkout@v4');
  assert.equal(step('Run the pipeline').run, 'mlc run');
  assert.match(
    step('Post the report on the pull request').run!,
    /mlc report --base "origin\/\$BASE_REF" --md > mlc-report\.md\ngh pr comment/,
  );
  assert.equal(step('Gates').run, "mlc gate staging\nmlc gate 'prod eu'\n");
  assert.equal(step('Deploy').if, "github.event_name == 'push' && github.ref == 'refs/heads/main'");
  assert.equal(step('Deploy').run, "mlc deploy staging\nmlc deploy 'prod eu'\n");
  assert.equal(assertRealMlcCommands(shellOf(steps)), 6);
});

test('mlc ci init gitlab writes a pipeline that posts the report through the notes API and deploys from --branch', () => {
  const root = createWorkspace({ 'mlc.yaml': PIPELINE });
  assert.equal(runMlcSync(root, ['ci', 'init', 'gitlab', '--branch', 'release']).code, 0);
  const pipeline = parse(readFileSync(join(root, '.gitlab-ci.yml'), 'utf8')) as {
    variables: Record<string, string>;
    mlc: { script: string[]; before_script: string[]; rules: { if: string }[] };
  };
  assert.equal(pipeline.variables.MLC_DEPLOY_BRANCH, 'release');
  assert.equal(pipeline.variables.GIT_DEPTH, '0');
  const script = pipeline.mlc.script.join('\n');
  assert.match(script, /merge_requests\/\$CI_MERGE_REQUEST_IID\/notes/);
  assert.match(script, /JOB-TOKEN: \$CI_JOB_TOKEN/);
  assert.match(script, /mlc gate 'prod eu'/);
  assert.match(script, /if \[ "\$CI_COMMIT_BRANCH" = "\$MLC_DEPLOY_BRANCH" \]; then mlc deploy staging; fi/);
  assert.equal(assertRealMlcCommands(shellOf(pipeline.mlc)), 6);
});

test('mlc ci init jenkins writes a declarative Jenkinsfile whose braces balance', () => {
  const root = createWorkspace({ 'mlc.yaml': PIPELINE });
  assert.equal(runMlcSync(root, ['ci', 'init', 'jenkins']).code, 0);
  const text = readFileSync(join(root, 'Jenkinsfile'), 'utf8');
  // Structure outside strings and comments.
  const code = text.replace(/\/\/.*$/gm, '').replace(/'(?:\\.|[^'\\])*'/g, "''");
  let depth = 0;
  for (const character of code) {
    if (character === '{') depth++;
    if (character === '}') depth--;
    assert.ok(depth >= 0, 'a } closes nothing');
  }
  assert.equal(depth, 0);
  assert.match(code, /^pipeline \{\n {2}agent any\n/m);
  assert.match(code, /^ {2}stages \{$/m);
  const stageNames = [...text.matchAll(/^ {4}stage\('([^']+)'\) \{\n {6}(?:when \{[^\n]*\}\n {6})?steps \{$/gm)].map(
    (m) => m[1],
  );
  assert.deepEqual(stageNames, ['Install', 'Run pipeline', 'Report', 'Gates', 'Deploy']);
  assert.match(text, /stage\('Deploy'\) \{\n {6}when \{ branch 'main' \}/);
  const shell = [...text.matchAll(/sh '((?:\\.|[^'\\])*)'/g)].map((m) => m[1]!.replace(/\\'/g, "'")).join('\n');
  assert.equal(assertRealMlcCommands(shell), 6);
});

test('mlc ci init never overwrites an existing file without --force', () => {
  const root = createWorkspace({ 'mlc.yaml': PIPELINE, Jenkinsfile: 'my own pipeline\n' });
  const refused = runMlcSync(root, ['ci', 'init', 'jenkins']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Jenkinsfile exists; nothing written/);
  assert.equal(readFileSync(join(root, 'Jenkinsfile'), 'utf8'), 'my own pipeline\n');
  assert.equal(runMlcSync(root, ['ci', 'init', 'jenkins', '--force']).code, 0);
  assert.match(readFileSync(join(root, 'Jenkinsfile'), 'utf8'), /^\/\/ Written by mlc ci init jenkins/);
});

test('mlc ci init without deploy targets writes run and report only; bad providers and branches are usage errors', () => {
  const root = createWorkspace({ 'mlc.yaml': 'stages:\n  a:\n    cmd: echo\n' });
  assert.equal(runMlcSync(root, ['ci', 'init', 'github']).code, 0);
  const text = readFileSync(join(root, '.github/workflows/mlc.yml'), 'utf8');
  assert.doesNotMatch(text, /mlc (gate|deploy)/);
  assert.equal(runMlcSync(root, ['ci', 'init', 'travis']).code, 2);
  assert.equal(runMlcSync(root, ['ci', 'init', 'gitlab', '--branch', 'a;rm -rf /']).code, 2);
  assert.equal(runMlcSync(root, ['ci', 'init']).code, 2);
  assert.equal(existsSync(join(root, '.gitlab-ci.yml')), false);
});

test('the command check itself rejects an unknown mlc command or option', () => {
  assert.throws(() => assertRealMlcCommands('mlc report --base main --bogus'), /has no option --bogus/);
  assert.throws(() => assertRealMlcCommands('x; mlc nonsense'), /not an mlc command/);
  assert.equal(assertRealMlcCommands('mlc runs --json; mlc gate t'), 2);
});
