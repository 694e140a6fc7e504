import { quoteShellArgument } from '../commandLine/quoteShellArgument';

export type CiProvider = 'github' | 'gitlab' | 'jenkins';
export const CI_PROVIDERS: readonly CiProvider[] = ['github', 'gitlab', 'jenkins'];

export interface CiWorkflowOptions {
  /** Deploy targets of the workspace's pipelines: each is gated on every build, deployed from `branch`. */
  readonly deployTargets: readonly string[];
  /** The branch that deploys (`main`). */
  readonly branch: string;
}

export interface CiWorkflow {
  /** Workspace-relative path of the file the provider reads. */
  readonly path: string;
  readonly text: string;
}

/**
 * The install line of mlc itself. mlc is not on a public registry yet, so the generated file says
 * where to change it (a .tgz from `npm pack`, a git URL) rather than guess a package name.
 */
const INSTALL_MLC = 'npm install --global "$MLC_PACKAGE"';
const INSTALL_PYTHON = 'if [ -f requirements.txt ]; then python3 -m pip install -r requirements.txt; fi';
const REPORT_FILE = 'mlc-report.md';

/**
 * A CI workflow that installs the dependencies, runs the pipeline (`mlc run`), posts
 * `mlc report --base <target branch> --md` on the pull/merge request, runs `mlc gate` for every
 * deploy target and, on `branch` only, `mlc deploy`. Every value mlc puts into a command line is
 * shell-quoted; values from the CI system go through environment variables, never into the script
 * text (a branch name is attacker-chosen text in a fork's pull request).
 */
export function ciWorkflow(provider: CiProvider, options: CiWorkflowOptions): CiWorkflow {
  const gates = options.deployTargets.map((target) => `mlc gate ${quoteShellArgument(target)}`);
  const deploys = options.deployTargets.map((target) => `mlc deploy ${quoteShellArgument(target)}`);
  if (provider === 'github')
    return { path: '.github/workflows/mlc.yml', text: githubWorkflow(options, gates, deploys) };
  if (provider === 'gitlab') return { path: '.gitlab-ci.yml', text: gitlabPipeline(options, gates, deploys) };
  return { path: 'Jenkinsfile', text: jenkinsfile(options, gates, deploys) };
}

/** A YAML block scalar's lines at `indent`. */
function block(lines: readonly string[], indent: string): string {
  return lines.map((line) => `${indent}${line}`).join('\n');
}

function yamlString(text: string): string {
  return JSON.stringify(text);
}

/** A string literal in a GitHub Actions expression: single quotes, doubled inside. */
function githubExpressionString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function githubWorkflow(options: CiWorkflowOptions, gates: readonly string[], deploys: readonly string[]): string {
  const steps = [
    `      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # mlc report reads the base branch's files through git
      - uses: actions/setup-node@v4
        with:
          node-version: 20
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install dependencies
        run: |
          ${INSTALL_MLC}
          ${INSTALL_PYTHON}
      - name: Run the pipeline
        run: mlc run
      - name: Post the report on the pull request
        if: github.event_name == 'pull_request'
        env:
          GH_TOKEN: \${{ github.token }}
          BASE_REF: \${{ github.base_ref }}
          PR_NUMBER: \${{ github.event.pull_request.number }}
        run: |
          mlc report --base "origin/$BASE_REF" --md > ${REPORT_FILE}
          gh pr comment "$PR_NUMBER" --body-file ${REPORT_FILE}`,
  ];
  if (gates.length > 0) steps.push(`      - name: Gates\n        run: |\n${block(gates, '          ')}`);
  if (deploys.length > 0)
    steps.push(
      `      - name: Deploy\n        if: ${yamlString(`github.event_name == 'push' && github.ref == ${githubExpressionString(`refs/heads/${options.branch}`)}`)}\n        run: |\n${block(deploys, '          ')}`,
    );
  return `# Written by mlc ci init github: runs the pipeline, comments mlc report on pull requests,
# checks the deploy gates and deploys from ${options.branch}.
name: mlc
on:
  push:
    branches: [${yamlString(options.branch)}]
  pull_request:
permissions:
  contents: read
  pull-requests: write
env:
  # Where npm installs mlc from: a package name, a .tgz made by npm pack, or a git URL.
  MLC_PACKAGE: mlc
jobs:
  pipeline:
    runs-on: ubuntu-latest
    steps:
${steps.join('\n')}
`;
}

function gitlabPipeline(options: CiWorkflowOptions, gates: readonly string[], deploys: readonly string[]): string {
  const onBranch = (commands: readonly string[]) =>
    commands.map((command) => `if [ "$CI_COMMIT_BRANCH" = "$MLC_DEPLOY_BRANCH" ]; then ${command}; fi`);
  const script = [
    'mlc run',
    [
      'if [ -n "$CI_MERGE_REQUEST_IID" ]; then',
      '  git fetch origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"',
      `  mlc report --base "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --md > ${REPORT_FILE}`,
      '  if [ -n "$MLC_REPORT_TOKEN" ]; then AUTH="PRIVATE-TOKEN: $MLC_REPORT_TOKEN"; else AUTH="JOB-TOKEN: $CI_JOB_TOKEN"; fi',
      `  curl --fail --silent --show-error --request POST --header "$AUTH" --data-urlencode "body@${REPORT_FILE}" "$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"`,
      'fi',
    ].join('\n'),
    ...gates,
    ...onBranch(deploys),
  ];
  const scriptLines = script.map((command) =>
    command.includes('\n') ? `    - |\n${block(command.split('\n'), '      ')}` : `    - ${yamlString(command)}`,
  );
  return `# Written by mlc ci init gitlab: runs the pipeline, posts mlc report on merge requests (the
# notes API; set MLC_REPORT_TOKEN to a project access token with the api scope where the job token
# may not post notes), checks the deploy gates and deploys from ${options.branch}.
variables:
  GIT_DEPTH: "0" # mlc report reads the target branch's files through git
  MLC_DEPLOY_BRANCH: ${yamlString(options.branch)}
  # Where npm installs mlc from: a package name, a .tgz made by npm pack, or a git URL.
  MLC_PACKAGE: mlc
mlc:
  image: python:3.12
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $MLC_DEPLOY_BRANCH
  before_script:
    - apt-get update && apt-get install --yes --no-install-recommends nodejs npm
    - ${yamlString(INSTALL_MLC)}
    - ${yamlString(INSTALL_PYTHON)}
  script:
${scriptLines.join('\n')}
`;
}

/** A Groovy single-quoted string (no interpolation by Groovy; the shell sees the text as is). */
function groovyString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function jenkinsfile(options: CiWorkflowOptions, gates: readonly string[], deploys: readonly string[]): string {
  const sh = (commands: readonly string[], indent: string) =>
    commands.map((command) => `${indent}sh ${groovyString(command)}`).join('\n');
  const stages = [
    `    stage('Install') {
      steps {
${sh([INSTALL_MLC, INSTALL_PYTHON], '        ')}
      }
    }`,
    `    stage('Run pipeline') {
      steps {
        sh 'mlc run'
      }
    }`,
    `    stage('Report') {
      when { changeRequest() }
      steps {
        // GH_TOKEN: a GitHub token credential with the id 'github-token' (gh CLI on the agent).
        withCredentials([string(credentialsId: 'github-token', variable: 'GH_TOKEN')]) {
${sh([`git fetch origin "$CHANGE_TARGET"`, `mlc report --base "origin/$CHANGE_TARGET" --md > ${REPORT_FILE}`, `gh pr comment "$CHANGE_ID" --body-file ${REPORT_FILE}`], '          ')}
        }
      }
    }`,
  ];
  if (gates.length > 0) stages.push(`    stage('Gates') {\n      steps {\n${sh(gates, '        ')}\n      }\n    }`);
  if (deploys.length > 0)
    stages.push(
      `    stage('Deploy') {\n      when { branch ${groovyString(options.branch)} }\n      steps {\n${sh(deploys, '        ')}\n      }\n    }`,
    );
  return `// Written by mlc ci init jenkins: runs the pipeline, comments mlc report on pull requests,
// checks the deploy gates and deploys from ${options.branch}.
pipeline {
  agent any
  environment {
    // Where npm installs mlc from: a package name, a .tgz made by npm pack, or a git URL.
    MLC_PACKAGE = 'mlc'
  }
  stages {
${stages.join('\n')}
  }
}
`;
}
