import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { productDocument, skipWithoutProductDocument } from '../../support/realWorldFixtures';

const repoRoot = resolve(__dirname, '../../..');
type Schema = Record<string, unknown>;
const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas/mlc.schema.json'), 'utf8')) as Schema;

/**
 * The subset of JSON Schema (draft-07) that schemas/mlc.schema.json uses, so the test needs no
 * validator dependency: $ref to #/definitions, type (integer too), enum, pattern, minimum,
 * properties, required, additionalProperties, items, anyOf, allOf. Returns the errors found.
 */
function validate(value: unknown, node: Schema, path = '$'): string[] {
  if (typeof node.$ref === 'string') {
    const target = node.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((at, key) => (at as Schema)[key], schema);
    return validate(value, target as Schema, path);
  }
  const known = new Set([
    '$schema',
    '$id',
    'title',
    'description',
    'definitions',
    'type',
    'enum',
    'pattern',
    'minimum',
    'properties',
    'required',
    'additionalProperties',
    'items',
    'anyOf',
    'allOf',
  ]);
  for (const key of Object.keys(node)) assert.ok(known.has(key), `the test validator does not know '${key}'`);
  const errors: string[] = [];
  if (node.type !== undefined) {
    const types = Array.isArray(node.type) ? (node.type as string[]) : [node.type as string];
    const actual =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'array'
          : typeof value === 'number' && Number.isInteger(value)
            ? 'integer'
            : typeof value;
    const matches = types.some((type) => type === actual || (type === 'number' && actual === 'integer'));
    if (!matches) return [`${path}: ${actual} is not ${types.join(' or ')}`];
  }
  if (Array.isArray(node.enum) && !node.enum.includes(value))
    errors.push(`${path}: ${String(value)} not in ${node.enum.join(', ')}`);
  if (typeof node.pattern === 'string' && typeof value === 'string' && !new RegExp(node.pattern, 'u').test(value))
    errors.push(`${path}: does not match ${node.pattern}`);
  if (typeof node.minimum === 'number' && typeof value === 'number' && value < node.minimum)
    errors.push(`${path}: below ${node.minimum}`);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const properties = (node.properties ?? {}) as Record<string, Schema>;
    for (const key of (node.required ?? []) as string[]) if (!(key in value)) errors.push(`${path}: missing ${key}`);
    for (const [key, child] of Object.entries(value)) {
      if (key in properties) errors.push(...validate(child, properties[key]!, `${path}.${key}`));
      else if (node.additionalProperties === false) errors.push(`${path}: unknown key ${key}`);
      else if (typeof node.additionalProperties === 'object')
        errors.push(...validate(child, node.additionalProperties as Schema, `${path}.${key}`));
    }
  }
  if (Array.isArray(value) && node.items)
    value.forEach((item, index) => errors.push(...validate(item, node.items as Schema, `${path}[${index}]`)));
  if (Array.isArray(node.anyOf)) {
    const attempts = (node.anyOf as Schema[]).map((option) => validate(value, option, path));
    if (!attempts.some((attempt) => attempt.length === 0))
      errors.push(`${path}: matches no option (${attempts.flat().join('; ')})`);
  }
  for (const option of (node.allOf ?? []) as Schema[]) errors.push(...validate(value, option, path));
  return errors;
}

function productExample(): unknown {
  const product = readFileSync(productDocument, 'utf8');
  return parse(/```yaml\n# mlc\.yaml \(illustrative\)\n([\s\S]*?)```/.exec(product)![1]!);
}

test('the mlc.yaml schema accepts the PRODUCT.md example', (context) => {
  if (skipWithoutProductDocument(context)) return;
  assert.deepEqual(validate(productExample(), schema), []);
});

test('the mlc.yaml schema accepts examples/churn/mlc.yaml and foreach/matrix groups', () => {
  assert.deepEqual(validate(parse(readFileSync(join(repoRoot, 'examples/churn/mlc.yaml'), 'utf8')), schema), []);
  const groups =
    'stages:\n  a:\n    foreach: [x, y]\n    do:\n      cmd: echo ${item}\n  b:\n    matrix: { m: [1, 2] }\n    cmd: echo ${item.m}\n';
  assert.deepEqual(validate(parse(groups), schema), []);
});

test('the mlc.yaml schema rejects a stage with an unknown key, a wrong type and an unknown top-level section', () => {
  const unknownKey = parse('stages:\n  train:\n    cmd: python3 train.py\n    depz: [a]\n');
  assert.match(validate(unknownKey, schema).join('\n'), /unknown key depz/);
  const wrongType = parse('stages:\n  train:\n    cmd: x\n    retries: -1\n');
  assert.notDeepEqual(validate(wrongType, schema), []);
  assert.match(validate(parse('stage: {}\n'), schema).join('\n'), /unknown key stage/);
  assert.match(
    validate(parse('runners:\n  r: { type: kubernetes }\n'), schema).join('\n'),
    /kubernetes not in local, ssh, slurm/,
  );
});

/** A snippet body with every placeholder replaced by its default (or first choice). */
function fillPlaceholders(body: readonly string[]): string {
  return body
    .join('\n')
    .replace(/\$\{\d+\|([^,|]*)[^}]*\|\}/g, '$1')
    .replace(/\$\{\d+:((?:\\\}|[^}])*)\}/g, (_all, text: string) => text.replace(/\\\}/g, '}'))
    .replace(/\$\d+/g, '');
}

test('every snippet body parses as YAML after its placeholders are filled, and fits the schema where it goes', () => {
  const snippets = JSON.parse(readFileSync(join(repoRoot, 'snippets/mlc.json'), 'utf8')) as Record<
    string,
    { prefix: string; body: string[]; description: string }
  >;
  const sectionOf = (prefix: string) =>
    prefix.startsWith('mlc-stage')
      ? 'stages'
      : prefix.startsWith('mlc-runner')
        ? 'runners'
        : prefix.startsWith('mlc-deploy')
          ? 'deploy'
          : 'alerts';
  const sections = new Set<string>();
  for (const [name, snippet] of Object.entries(snippets)) {
    const text = fillPlaceholders(snippet.body);
    assert.doesNotMatch(text, /\$\{|\$\d/, `${name}: a placeholder is left`);
    const value: unknown = parse(text);
    assert.ok(value !== null && typeof value === 'object', `${name}: not a map or list`);
    const section = sectionOf(snippet.prefix);
    sections.add(section);
    assert.deepEqual(validate({ [section]: value }, schema), [], name);
  }
  assert.deepEqual([...sections].sort(), ['alerts', 'deploy', 'runners', 'stages']);
  const deploy = parse(fillPlaceholders(snippets['mlc deploy target']!.body)) as { local: { start: string } };
  assert.equal(deploy.local.start, 'python3 src/serve.py --model {model} --port {port}');
});

test('package.json maps mlc.yaml to the schema, MLproject and lock files to YAML, and ships the snippets', () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    contributes: {
      yamlValidation: { fileMatch: string | string[]; url: string }[];
      languages: { id: string; filenames?: string[] }[];
      snippets: { language: string; path: string }[];
    };
    icon: string;
  };
  const { yamlValidation, languages, snippets } = manifest.contributes;
  assert.deepEqual(yamlValidation, [{ fileMatch: ['mlc.yaml', '**/mlc.yaml'], url: './schemas/mlc.schema.json' }]);
  const yamlFilenames = languages
    .filter((language) => language.id === 'yaml')
    .flatMap((language) => language.filenames ?? []);
  for (const filename of ['MLproject', 'mlc.lock', 'dvc.lock']) assert.ok(yamlFilenames.includes(filename), filename);
  assert.deepEqual(snippets, [{ language: 'yaml', path: './snippets/mlc.json' }]);
  const nls = JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
  for (const [, key] of JSON.stringify(manifest).matchAll(/"%([^"%]+)%"/g))
    assert.ok(key! in nls, `package.nls.json has no ${key}`);
  for (const [key, text] of Object.entries(nls)) assert.doesNotMatch(text, /^%|^$/, `package.nls.json: ${key}`);
  const png = readFileSync(join(repoRoot, manifest.icon));
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
});
