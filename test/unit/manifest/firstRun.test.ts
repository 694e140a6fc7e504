import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { readLocalizedManifest } from '../../support/manifest';

const repoRoot = resolve(__dirname, '../../..');

interface MenuEntry {
  readonly command: string;
  readonly when?: string;
}

// As VS Code shows it: the welcome text and walkthrough steps live in package.nls.json.
const manifest = readLocalizedManifest() as {
  contributes: {
    menus: Record<string, MenuEntry[]>;
    viewsWelcome: { view: string; contents: string; when?: string }[];
    views: Record<string, { id: string }[]>;
    walkthroughs: {
      id: string;
      steps: { id: string; description: string; media: { markdown?: string }; completionEvents?: string[] }[];
    }[];
  };
};

test('the commands that run or write files are offered only in trusted workspaces, the editor button included', () => {
  const writers = new Set(['mlc.runPipeline', 'mlc.runStage', 'mlc.generateCi', 'mlc.createPipeline']);
  const { menus } = manifest.contributes;
  for (const place of ['editor/title', 'view/item/context']) {
    for (const entry of menus[place] ?? []) {
      if (writers.has(entry.command)) assert.match(entry.when ?? '', /isWorkspaceTrusted/, `${place} ${entry.command}`);
    }
  }
  for (const entry of menus.commandPalette ?? []) {
    if (entry.command === 'mlc.generateCi' || entry.command === 'mlc.createPipeline')
      assert.match(entry.when ?? '', /isWorkspaceTrusted/, entry.command);
  }
});

test('every view has an empty state, and the Pipelines view offers Create Pipeline and the walkthrough', () => {
  const { viewsWelcome, views } = manifest.contributes;
  for (const view of Object.values(views).flat())
    assert.ok(
      viewsWelcome.some((welcome) => welcome.view === view.id),
      `${view.id} has no viewsWelcome`,
    );
  const pipelines = viewsWelcome
    .filter((welcome) => welcome.view === 'mlc.pipelines')
    .map((welcome) => welcome.contents);
  assert.ok(pipelines.some((contents) => contents.includes('(command:mlc.createPipeline)')));
  assert.ok(pipelines.some((contents) => contents.includes('mlc-dev.mlc%23mlc.getStarted')));
});

test('the Get Started walkthrough: every step has its Markdown in media/walkthrough and links real commands', () => {
  const [walkthrough] = manifest.contributes.walkthroughs;
  assert.equal(walkthrough?.id, 'mlc.getStarted');
  const commands = new Set(
    (
      JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
        contributes: { commands: { command: string }[] };
      }
    ).contributes.commands.map((entry) => entry.command),
  );
  for (const step of walkthrough!.steps) {
    const markdown = step.media.markdown ?? '';
    assert.match(markdown, /^media\/walkthrough\/[\w-]+\.md$/, step.id);
    assert.ok(existsSync(join(repoRoot, markdown)), markdown);
    for (const [, command] of step.description.matchAll(/\(command:([\w.]+)\)/g))
      assert.ok(commands.has(command!), `${step.id} links ${command}, which package.json does not contribute`);
    for (const event of step.completionEvents ?? []) {
      const command = /^onCommand:(.+)$/.exec(event)?.[1];
      if (command) assert.ok(commands.has(command), `${step.id} completes on ${command}`);
    }
  }
});

test("the walkthrough's first step is done for an existing project too: when the Pipelines view shows its stages", () => {
  // VS Code drops an `onContext` completion whose context is already true when the walkthrough
  // registers (it counts the event as seen without completing the step), which is the case when
  // mlc found the stages of an opened DVC project first: the view listing them completes the step.
  const step = manifest.contributes.walkthroughs[0]!.steps.find((entry) => entry.id === 'pipeline')!;
  assert.ok(step.completionEvents?.includes('onView:mlc.pipelines'));
  const views = (
    JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      contributes: { views: Record<string, { id: string }[]> };
    }
  ).contributes.views;
  assert.ok(
    Object.values(views).some((list) => list.some((view) => view.id === 'mlc.pipelines')),
    'mlc.pipelines is a view of the extension',
  );
});
