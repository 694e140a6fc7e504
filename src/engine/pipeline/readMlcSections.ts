import type { AlertRule, DeployTargetConfig, GateConfig, ModelConfig, RunnerConfig } from './model';
import { parseDuration } from './parseDuration';
import type { MapTree, Tree } from './parseYamlTree';
import { entryKey, suggestKey, type TreeReader } from './treeReader';

/** mlc.yaml's own top-level sections: runners, models, deploy targets and alerts. */
const runnerTypes = ['local', 'ssh', 'slurm'] as const;
const runnerOptions: Record<RunnerConfig['type'], readonly string[]> = {
  local: ['type', 'workdir'],
  ssh: ['type', 'host', 'user', 'port', 'workdir', 'identity_file', 'connect_timeout', 'ssh_config'],
  slurm: [
    'type',
    'via',
    'partition',
    'gres',
    'time',
    'account',
    'qos',
    'cpus',
    'mem',
    'nodes',
    'workdir',
    'constraint',
  ],
};

export function readRunners(reader: TreeReader, node: Tree | undefined): RunnerConfig[] {
  const map = node && reader.map(node, 'runners');
  if (!map) return [];
  const runners: RunnerConfig[] = [];
  for (const entry of map.entries) {
    const name = reader.string(entry.key, 'A runner name');
    const body = reader.map(entry.value, `The runner '${name ?? ''}'`);
    if (name === undefined || !body) continue;
    const typeEntry = body.entries.find((item) => entryKey(item) === 'type');
    const typeText = typeEntry ? reader.string(typeEntry.value, 'type') : undefined;
    if (!typeEntry) {
      reader.report(
        entry.key,
        'error',
        'missingField',
        `The runner '${name}' has no type; add type: local, ssh or slurm.`,
      );
      continue;
    }
    const type = runnerTypes.find((known) => known === typeText);
    if (!type) {
      if (typeText !== undefined)
        reader.report(
          typeEntry.value,
          'error',
          'wrongType',
          `The runner type must be local, ssh or slurm, not '${typeText}'.`,
        );
      continue;
    }
    const options: Record<string, string | number | boolean> = {};
    for (const option of body.entries) {
      const key = entryKey(option);
      if (key === undefined || key === 'type') continue;
      const suggestion = suggestKey(key, runnerOptions[type]);
      if (!runnerOptions[type].includes(key) && suggestion) {
        reader.report(
          option.key,
          'warning',
          'unknownKey',
          `Unknown option '${key}' for a ${type} runner. Did you mean '${suggestion}'?`,
        );
      }
      const value = option.value;
      if (
        value.kind === 'scalar' &&
        (typeof value.value === 'string' || typeof value.value === 'number' || typeof value.value === 'boolean')
      ) {
        options[key] = value.value;
      } else {
        const text = reader.scalarText(value, `The runner option ${key}`);
        if (text !== undefined) options[key] = text;
      }
    }
    if (type === 'ssh' && options.host === undefined) {
      reader.report(
        entry.key,
        'error',
        'missingField',
        `The ssh runner '${name}' has no host; add host: <name or address>.`,
      );
    }
    runners.push({ name, type, options, position: entry.key.position });
  }
  // `via` names another runner (the SSH host a Slurm cluster is reached through).
  const names = new Set(['local', ...runners.map((runner) => runner.name)]);
  for (const entry of map.entries) {
    const via = entry.value.kind === 'map' ? entry.value.entries.find((item) => entryKey(item) === 'via') : undefined;
    if (via && via.value.kind === 'scalar' && typeof via.value.value === 'string')
      checkRunnerName(reader, via.value, via.value.value, names);
  }
  return runners;
}

export function readModels(reader: TreeReader, node: Tree | undefined): ModelConfig[] {
  const map = node && reader.map(node, 'models');
  if (!map) return [];
  const models: ModelConfig[] = [];
  for (const entry of map.entries) {
    const name = reader.string(entry.key, 'A model name');
    const body = reader.map(entry.value, `The model '${name ?? ''}'`);
    if (name === undefined || !body) continue;
    reader.checkKeys(body, ['path', 'metrics', 'desc'], `the model '${name}'`);
    const path = field(reader, body, 'path');
    const metrics = field(reader, body, 'metrics');
    if (path === undefined) {
      reader.report(
        entry.key,
        'error',
        'missingField',
        `The model '${name}' has no path; add the file the model is saved to.`,
      );
      continue;
    }
    models.push({ name, path, ...(metrics !== undefined ? { metrics } : {}), position: entry.key.position });
  }
  return models;
}

function field(reader: TreeReader, body: MapTree, key: string): string | undefined {
  const entry = body.entries.find((item) => entryKey(item) === key);
  return entry ? reader.scalarText(entry.value, key) : undefined;
}

function readRunnerReference(reader: TreeReader, body: MapTree, runnerNames: ReadonlySet<string>): string {
  const entry = body.entries.find((item) => entryKey(item) === 'runner');
  const name = entry ? reader.string(entry.value, 'runner') : undefined;
  if (entry && name !== undefined) checkRunnerName(reader, entry.value, name, runnerNames);
  return name ?? 'local';
}

function numberField(reader: TreeReader, body: MapTree, key: string): number | undefined {
  const entry = body.entries.find((item) => entryKey(item) === key);
  return entry ? reader.number(entry.value, key) : undefined;
}

const gateKeys = ['metric', 'min', 'max', 'vs', 'max_drop', 'smoke'];

/** Reports a runner name that is neither `local` nor declared under runners, at the name. */
export function checkRunnerName(reader: TreeReader, node: Tree, name: string, known: ReadonlySet<string>): void {
  if (known.has(name)) return;
  const suggestion = suggestKey(name, [...known]);
  const hint = suggestion ? ` Did you mean '${suggestion}'?` : ` Known runners: ${[...known].join(', ')}.`;
  reader.report(
    node,
    'error',
    'unknownRunner',
    `The runner '${name}' is not declared under runners; declare it or fix the name.${hint}`,
  );
}

export function readDeployTargets(
  reader: TreeReader,
  node: Tree | undefined,
  runnerNames: ReadonlySet<string>,
): DeployTargetConfig[] {
  const map = node && reader.map(node, 'deploy');
  if (!map) return [];
  const targets: DeployTargetConfig[] = [];
  for (const entry of map.entries) {
    const name = reader.string(entry.key, 'A deploy target name');
    const body = reader.map(entry.value, `The deploy target '${name ?? ''}'`);
    if (name === undefined || !body) continue;
    reader.checkKeys(body, ['model', 'runner', 'start', 'stop', 'health', 'gates'], `the deploy target '${name}'`);
    const model = field(reader, body, 'model');
    const start = field(reader, body, 'start');
    for (const [key, value] of [
      ['model', model],
      ['start', start],
    ] as const) {
      if (value === undefined && !body.entries.some((item) => entryKey(item) === key)) {
        reader.report(entry.key, 'error', 'missingField', `The deploy target '${name}' has no ${key}; add it.`);
      }
    }
    const stop = field(reader, body, 'stop');
    const health = field(reader, body, 'health');
    const gatesEntry = body.entries.find((item) => entryKey(item) === 'gates');
    const gates: GateConfig[] = [];
    for (const gateNode of gatesEntry ? (reader.list(gatesEntry.value, 'gates') ?? []) : []) {
      const gate = reader.map(gateNode, 'Each gate');
      if (!gate) continue;
      reader.checkKeys(gate, gateKeys, 'a gate');
      const smokeEntry = gate.entries.find((item) => entryKey(item) === 'smoke');
      const read: { -readonly [K in keyof GateConfig]: GateConfig[K] } = {};
      const metric = field(reader, gate, 'metric');
      if (metric !== undefined) read.metric = metric;
      const vs = field(reader, gate, 'vs');
      if (vs !== undefined) read.vs = vs;
      for (const [key, target] of [
        ['min', 'min'],
        ['max', 'max'],
        ['max_drop', 'maxDrop'],
      ] as const) {
        const value = numberField(reader, gate, key);
        if (value !== undefined) read[target] = value;
      }
      if (smokeEntry) read.smoke = reader.boolean(smokeEntry.value, 'smoke') ?? false;
      if (read.metric === undefined && !read.smoke) {
        reader.report(
          gateNode,
          'error',
          'missingField',
          'A gate needs a metric (with min, max or vs), or smoke: true.',
        );
      }
      gates.push(read);
    }
    targets.push({
      name,
      model: model ?? '',
      runner: readRunnerReference(reader, body, runnerNames),
      start: start ?? '',
      ...(stop !== undefined ? { stop } : {}),
      ...(health !== undefined ? { health } : {}),
      gates,
      position: entry.key.position,
    });
  }
  return targets;
}

const alertKeys = [
  'metric',
  'when',
  'below',
  'above',
  'after_step',
  'vs',
  'max_drop',
  'max_rise',
  'stalled',
  'deployment',
];
const nonFiniteConditions = ['nan', 'inf', 'nonfinite'] as const;

/**
 * `alerts:`: a list of rules (see AlertRule). Each must say what it watches: a metric with a
 * condition, `stalled`, or a `deployment` declared under deploy: in the same file.
 */
export function readAlerts(
  reader: TreeReader,
  node: Tree | undefined,
  deployTargets: ReadonlySet<string>,
): AlertRule[] {
  if (!node) return [];
  const alerts: AlertRule[] = [];
  for (const item of reader.list(node, 'alerts') ?? []) {
    const body = reader.map(item, 'Each alert');
    if (!body) continue;
    reader.checkKeys(body, alertKeys, 'an alert');
    const rule: { -readonly [K in keyof AlertRule]: AlertRule[K] } = { position: item.position };
    for (const [key, target] of [
      ['metric', 'metric'],
      ['vs', 'vs'],
      ['deployment', 'deployment'],
    ] as const) {
      const value = field(reader, body, key);
      if (value !== undefined) rule[target] = value;
    }
    const when = body.entries.find((entry) => entryKey(entry) === 'when');
    if (when) {
      const condition = nonFiniteConditions.find(
        (known) => when.value.kind === 'scalar' && String(when.value.value).toLowerCase() === known,
      );
      if (condition) rule.when = condition;
      else
        reader.report(
          when.value,
          'error',
          'wrongType',
          'when must be nan, inf or nonfinite (alert when the metric becomes NaN, an infinity, or either).',
        );
    }
    for (const [key, target] of [
      ['below', 'below'],
      ['above', 'above'],
      ['after_step', 'afterStep'],
      ['max_drop', 'maxDrop'],
      ['max_rise', 'maxRise'],
    ] as const) {
      const value = numberField(reader, body, key);
      if (value !== undefined) rule[target] = value;
    }
    const stalled = body.entries.find((entry) => entryKey(entry) === 'stalled');
    if (stalled) {
      const duration = stalled.value.kind === 'scalar' ? parseDuration(stalled.value.value) : undefined;
      if (duration === undefined || duration <= 0)
        reader.report(stalled.value, 'error', 'wrongType', 'stalled must be a duration such as 10m or 1h.');
      else rule.stalledMs = duration;
    }
    checkAlertRule(reader, item, body, rule, deployTargets);
    alerts.push(rule);
  }
  return alerts;
}

function checkAlertRule(
  reader: TreeReader,
  item: Tree,
  body: MapTree,
  rule: AlertRule,
  deployTargets: ReadonlySet<string>,
): void {
  const has = (key: string) => body.entries.some((entry) => entryKey(entry) === key);
  if (rule.deployment !== undefined) {
    if (!deployTargets.has(rule.deployment)) {
      const entry = body.entries.find((candidate) => entryKey(candidate) === 'deployment')!;
      const suggestion = suggestKey(rule.deployment, [...deployTargets]);
      reader.report(
        entry.value,
        'error',
        'unknownDeployTarget',
        `The deploy target '${rule.deployment}' is not declared under deploy: in this file.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`,
      );
    }
    return;
  }
  if (has('stalled')) return;
  if (has('vs') && !has('max_drop') && !has('max_rise')) {
    reader.report(
      item,
      'error',
      'missingField',
      'A regression alert (vs) needs max_drop (the metric should stay high) or max_rise (it should stay low).',
    );
    return;
  }
  const hasCondition = has('when') || has('below') || has('above') || has('vs');
  if (rule.metric === undefined || !hasCondition) {
    reader.report(
      item,
      'error',
      'missingField',
      'An alert needs a metric with when, below, above or vs, or stalled: <duration>, or deployment: <target>.',
    );
  }
}
