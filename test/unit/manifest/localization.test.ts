import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readManifest, readManifestStrings } from '../../support/manifest';

/** The fields of `contributes` whose text a user reads (titles, names, descriptions, welcome text). */
const USER_FACING_FIELDS = new Set([
  'title',
  'shortTitle',
  'name',
  'contextualTitle',
  'category',
  'label',
  'description',
  'markdownDescription',
  'enumDescriptions',
  'markdownEnumDescriptions',
  'deprecationMessage',
  'markdownDeprecationMessage',
  'contents',
  'altText',
]);

/** Every user-facing string under `value`, with its path (`commands.0.title`). */
function userFacingStrings(value: unknown, path: readonly string[] = []): [string, string][] {
  if (typeof value === 'string') {
    // An array's entries (enumDescriptions.0) take the field name of the array.
    const field = path.findLast((part) => !/^\d+$/.test(part));
    return field !== undefined && USER_FACING_FIELDS.has(field) ? [[path.join('.'), value]] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => userFacingStrings(item, [...path, String(index)]));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => userFacingStrings(item, [...path, key]));
  return [];
}

const manifest = readManifest() as { displayName: string; description: string; contributes: unknown };
const strings = readManifestStrings();

test('every user-facing title, name and description in package.json is a %key% of package.nls.json', () => {
  const found = [
    ['displayName', manifest.displayName],
    ['description', manifest.description],
    ...userFacingStrings(manifest.contributes, ['contributes']),
  ];
  assert.ok(found.length > 50, `the walk found the manifest's strings (${found.length})`);
  const literal = found.filter(([, text]) => !/^%.+%$/.test(text!)).map(([path]) => path);
  assert.deepEqual(literal, [], 'literal strings: move them to package.nls.json');
  const unknown = found.filter(([, text]) => !(text!.slice(1, -1) in strings)).map(([path, text]) => `${path} ${text}`);
  assert.deepEqual(unknown, [], 'placeholders without a text in package.nls.json');
});

test('every text of package.nls.json is used by package.json and says something', () => {
  const used = new Set(
    JSON.stringify(manifest)
      .match(/%[^%"]+%/g)
      ?.map((placeholder) => placeholder.slice(1, -1)),
  );
  assert.deepEqual(
    Object.keys(strings).filter((key) => !used.has(key)),
    [],
    'unused keys',
  );
  assert.deepEqual(
    Object.entries(strings)
      .filter(([, text]) => text.trim() === '')
      .map(([key]) => key),
    [],
    'empty texts',
  );
});
