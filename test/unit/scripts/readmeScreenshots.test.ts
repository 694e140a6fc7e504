// The README's pictures are screenshots the E2E suite takes (scripts/readme-screenshots.mjs copies
// them): every picture the README shows is listed there and present, and every listed shot is one
// an E2E spec really takes, so a renamed shot fails here rather than leaving a stale picture.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readmeScreenshots as pictures } from '../../../scripts/readme-screenshots.mjs';

test('every picture in README.md is one of the listed E2E screenshots and is in docs/screenshots', () => {
  const readme = readFileSync('README.md', 'utf8');
  const shown = [...readme.matchAll(/\(docs\/screenshots\/([^)\s]+)\)/g)].map((match) => match[1] ?? '');
  assert.ok(shown.length >= 5, 'the README shows the panels, charts, graph and deploy');
  for (const file of shown) {
    assert.ok(
      pictures.some((picture) => picture.file === file),
      `${file} is not in scripts/readme-screenshots.mjs`,
    );
    assert.ok(existsSync(join('docs', 'screenshots', file)), `docs/screenshots/${file} is missing`);
  }
  for (const picture of pictures) assert.ok(shown.includes(picture.file), `${picture.file} is listed but not shown`);
});

test('every listed screenshot is taken by an E2E spec under that name and label', () => {
  const specs = readdirSync(join('test', 'e2e'))
    .filter((name) => name.endsWith('.e2e.mjs'))
    .map((name) => readFileSync(join('test', 'e2e', name), 'utf8'));
  for (const { spec, label } of pictures) {
    const source = specs.find((text) => text.includes(`name: '${spec}'`));
    assert.ok(source, `no E2E spec opens a workbench named '${spec}'`);
    const themed = /^(.*)-(light|dark)$/.exec(label);
    const taken =
      source.includes(`screenshot('${label}')`) ||
      (themed !== null && source.includes(`screenshot(\`${themed[1]}-\${await themeKind(page)}\`)`));
    assert.ok(taken, `the '${spec}' spec takes no '${label}' screenshot`);
  }
});
