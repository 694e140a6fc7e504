// The Pipeline Graph bundle, as the production build makes it, in headless Chromium under the
// extension's CSP, fed fixture graphs: nodes drawn with a colour per state, the reason on hover,
// click to open, run buttons and context menu (absent when untrusted), groups that collapse, and a
// 200-stage graph with its minimap.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  GRAPH_NODE_STATES,
  type GraphNode,
  type PipelineGraph,
  type PipelineGraphSnapshot,
} from '../../../src/protocol/pipelineGraph';
import { NODE_HEIGHT, NODE_WIDTH } from '../../../webview-ui/pipelineGraph/layoutGraph';
import { generatePipelineGraph } from '../../support/pipelineGraphFixtures';
import { type PanelHarness, postedByPanel, sendToPanel, startPanelHarness } from '../../support/panelPage';

let harness: PanelHarness;
before(async () => {
  harness = await startPanelHarness();
});
after(async () => {
  await harness?.close();
});

const HOSTILE = '<img src=x onerror=alert(1)>';

/** One stage per state in a chain, then a foreach group of two under the last one. */
function everyStateGraph(): PipelineGraph {
  const nodes: GraphNode[] = GRAPH_NODE_STATES.map((state, index) => ({
    id: `s-${state}`,
    label: `s-${state}`,
    file: 0,
    line: 3 + index * 5,
    state,
    reasons: state === 'changed' ? ['dep data/raw.csv modified', HOSTILE] : [],
  }));
  nodes.push(
    { id: 'train@a', label: 'train@a', file: 0, line: 50, state: 'up-to-date', reasons: [], group: '0:train' },
    { id: 'train@b', label: 'train@b', file: 0, line: 50, state: 'failed', reasons: [], group: '0:train' },
  );
  const edges = GRAPH_NODE_STATES.slice(1).map(
    (state, index) => [`s-${GRAPH_NODE_STATES[index]}`, `s-${state}`] as const,
  );
  const last = `s-${GRAPH_NODE_STATES.at(-1)}`;
  return {
    files: ['mlc.yaml'],
    nodes,
    edges: [...edges, [last, 'train@a'], [last, 'train@b']],
    groups: [{ id: '0:train', label: 'train', file: 0, members: ['train@a', 'train@b'] }],
  };
}

const snapshotted = (graph: PipelineGraph, trusted = true, revision = 1) => ({
  type: 'snapshotted',
  snapshot: { revision, graph, trusted } satisfies PipelineGraphSnapshot,
});

async function assertClean(page: Page): Promise<void> {
  const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
  assert.deepEqual(violations, [], 'no CSP violation');
  const problems = (await postedByPanel(page)).filter((message) => message.type === 'reportProblem');
  assert.deepEqual(problems, [], 'the page reported no problem');
  assert.equal(await page.locator('img').count(), 0, 'no element was parsed out of a reason');
}

const node = (page: Page, id: string) => page.locator(`.node[data-id="${id}"]`);

test('Pipeline Graph: every state drawn in its own colour; hover tells why; click opens; buttons run', async () => {
  const page = await harness.open('pipelineGraph');
  await sendToPanel(page, snapshotted(everyStateGraph()));
  await node(page, 's-changed').waitFor();
  assert.equal(await page.locator('.node').count(), GRAPH_NODE_STATES.length + 2);
  assert.equal(await page.locator('path.edge').count(), GRAPH_NODE_STATES.length + 1);

  const strokes = await page.evaluate(
    (states) =>
      states.map((state) => {
        const box = document.querySelector(`.node[data-id="s-${state}"] .box`)!;
        return getComputedStyle(box).stroke;
      }),
    [...GRAPH_NODE_STATES],
  );
  assert.equal(new Set(strokes).size, GRAPH_NODE_STATES.length, `one colour per state: ${strokes.join(' | ')}`);
  assert.equal(await node(page, 's-failed').getAttribute('data-state'), 'failed');
  assert.match((await node(page, 's-never-run').locator('text.state').textContent()) ?? '', /never run/);

  await node(page, 's-changed').hover();
  const tooltip = page.getByRole('tooltip');
  await tooltip.waitFor();
  assert.match((await tooltip.textContent()) ?? '', /dep data\/raw\.csv modified/);
  assert.equal(await tooltip.locator('li').nth(1).textContent(), HOSTILE, 'a reason is text, never HTML');
  assert.match((await tooltip.textContent()) ?? '', /mlc\.yaml:8/);

  await node(page, 's-changed').locator('.box').click();
  await node(page, 's-frozen').locator('[data-action="run"]').click();
  await node(page, 's-frozen').locator('[data-action="run-downstream"]').click();
  await node(page, 's-running').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Run stage and downstream' }).click();
  await node(page, 's-up-to-date').focus();
  await page.keyboard.press('Enter');
  const actions = (await postedByPanel(page)).filter((message) => message.type !== 'ready');
  assert.deepEqual(actions, [
    { type: 'openStage', address: 's-changed' },
    { type: 'runStage', address: 's-frozen', downstream: false },
    { type: 'runStage', address: 's-frozen', downstream: true },
    { type: 'runStage', address: 's-running', downstream: true },
    { type: 'openStage', address: 's-up-to-date' },
  ]);

  // A new snapshot with the same structure recolours in place: the drawn node is the same element.
  await node(page, 's-changed').evaluate((element) => element.setAttribute('data-marker', 'kept'));
  const graph = everyStateGraph();
  const recoloured = {
    ...graph,
    nodes: graph.nodes.map((entry) => (entry.id === 's-changed' ? { ...entry, state: 'running' as const } : entry)),
  };
  await sendToPanel(page, snapshotted(recoloured, true, 2));
  await page.locator('.node[data-id="s-changed"][data-state="running"][data-marker="kept"]').waitFor();
  await assertClean(page);
  await page.close();
});

test('Pipeline Graph: groups collapse into one node and expand again; the choice is saved', async () => {
  const page = await harness.open('pipelineGraph');
  await sendToPanel(page, snapshotted(everyStateGraph()));
  await node(page, 'train@a').waitFor();
  await node(page, 'train@a').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Collapse group train' }).click();
  await node(page, '0:train').waitFor();
  assert.equal(await node(page, 'train@a').count(), 0);
  assert.equal(await node(page, '0:train').getAttribute('data-state'), 'failed', 'the failed member shows through');
  assert.match((await node(page, '0:train').locator('text.state').textContent()) ?? '', /2 stages/);
  const saved = await page.evaluate(() => (window as unknown as { __state: { collapsed: string[] } }).__state);
  assert.deepEqual(saved.collapsed, ['0:train']);
  await node(page, '0:train').click();
  await node(page, 'train@b').waitFor();
  await page.getByRole('button', { name: 'Collapse groups' }).click();
  await node(page, '0:train').waitFor();
  await assertClean(page);
  await page.close();
});

test('Pipeline Graph: in Restricted Mode nothing offers to run', async () => {
  const page = await harness.open('pipelineGraph');
  await sendToPanel(page, snapshotted(everyStateGraph(), false));
  await node(page, 's-changed').waitFor();
  assert.equal(await page.locator('[data-action^="run"]').count(), 0, 'no run button');
  await node(page, 's-changed').click({ button: 'right' });
  assert.deepEqual(await page.getByRole('menuitem').allTextContents(), ['Open in file']);
  await page.keyboard.press('Escape');
  assert.equal((await postedByPanel(page)).filter((message) => message.type === 'runStage').length, 0);
  await assertClean(page);
  await page.close();
});

test('Pipeline Graph: 200 stages over two files drawn with a minimap; one file at a time', async () => {
  const page = await harness.open('pipelineGraph');
  const graph = generatePipelineGraph(200, { fileCount: 2 });
  await sendToPanel(page, snapshotted(graph));
  await page.locator('.node').first().waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('.node').count(), 200);
  assert.equal(await page.getByText('200 stages').count(), 1);
  assert.equal(await page.locator('canvas.minimap').isVisible(), true, 'the overview shows for a big graph');
  const transformBefore = await page.locator('g.scene').getAttribute('transform');
  await page.getByRole('button', { name: 'Zoom in' }).click();
  assert.notEqual(await page.locator('g.scene').getAttribute('transform'), transformBefore, 'zoom changes the view');
  await page.getByRole('button', { name: 'Fit' }).click();
  await page.getByLabel('Pipeline file').selectOption(graph.files[1]!);
  const inSecond = graph.nodes.filter((entry) => entry.file === 1).length;
  await page.getByText(`${inSecond} stages`).waitFor();
  assert.equal(await page.locator('.node').count(), inSecond);
  // Opened from a pipeline's context menu: the host names the file to show.
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: { revision: 2, graph, trusted: true, focusFile: graph.files[0] },
  });
  const inFirst = graph.nodes.filter((entry) => entry.file === 0).length;
  await page.getByText(`${inFirst} stages`).waitFor();
  assert.equal(await page.getByLabel('Pipeline file').inputValue(), graph.files[0]);
  await assertClean(page);
  await page.close();
});

test('Pipeline Graph: 1,000 stages are laid out in the layout worker, and the page answers meanwhile', async () => {
  const page = await harness.open('pipelineGraph', { viewport: { width: 1600, height: 900 } });
  const graph = generatePipelineGraph(1000);
  // Counts the page's frames while the layout runs: a page thread busy with dagre draws none.
  // A string: tsx would wrap a function's inner helpers in a `__name` the page lacks.
  await page.evaluate(`window.__frames = 0;
    const tick = () => { window.__frames++; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);`);
  await sendToPanel(page, snapshotted(graph));
  await page.locator('.node').first().waitFor({ timeout: 120_000 });
  assert.equal(await page.locator('.viewport').getAttribute('data-layout-thread'), 'worker');
  const drawn = await page.locator('.node').count();
  assert.ok(drawn > 500, `the graph was drawn (${drawn} nodes, groups collapsed)`);
  assert.equal(await page.getByText(/Laying out/).count(), 0, 'the waiting message is gone');
  const frames = await page.evaluate(() => (window as unknown as { __frames: number }).__frames);
  assert.ok(frames > 1, `frames went on while laying out (${frames})`);
  // Zoom works on the laid-out graph, and a recolour (same structure) keeps the layout.
  const transformBefore = await page.locator('g.scene').getAttribute('transform');
  await page.getByRole('button', { name: 'Zoom in' }).click();
  assert.notEqual(await page.locator('g.scene').getAttribute('transform'), transformBefore);
  await assertClean(page);
  await page.close();
});

test('Pipeline Graph: where no worker can start, a big graph is laid out on the page thread', async () => {
  const page = await harness.open('pipelineGraph', {
    // A webview that refuses workers (an origin the browser will not start one from) throws here.
    initScript: `window.Worker = class { constructor() { throw new DOMException('refused', 'SecurityError'); } };`,
  });
  await sendToPanel(page, snapshotted(generatePipelineGraph(200)));
  await page.locator('.node').first().waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('.node').count(), 200);
  assert.equal(await page.locator('.viewport').getAttribute('data-layout-thread'), 'page');
  await assertClean(page);
  await page.close();
});

/** What the page drew: node ids with their boxes (from their transforms), and edges. */
async function drawnGraph(page: Page) {
  return page.evaluate(() => ({
    nodes: Array.from(document.querySelectorAll('.node')).map((element) => {
      const [x, y] = /translate\(([-\d.]+),([-\d.]+)\)/.exec(element.getAttribute('transform') ?? '')!.slice(1);
      return {
        id: element.getAttribute('data-id')!,
        x: Number(x),
        y: Number(y),
        state: element.getAttribute('data-state'),
      };
    }),
    edges: Array.from(document.querySelectorAll('path.edge')).map((path) => [
      path.getAttribute('data-from')!,
      path.getAttribute('data-to')!,
    ]),
  }));
}

test('Pipeline Graph: the layout worker starts when the page loads, and a 200-stage graph is drawn whole, no box on another', async () => {
  const page = await harness.open('pipelineGraph', { viewport: { width: 1600, height: 900 } });
  // Started before any snapshot: the first big graph does not wait for the worker's fetch.
  const fetchedBeforeSnapshot = async () =>
    page.evaluate(() =>
      performance.getEntriesByType('resource').some((entry) => entry.name.endsWith('/pipelineGraphLayoutWorker.js')),
    );
  for (let attempt = 0; !(await fetchedBeforeSnapshot()); attempt++) {
    assert.ok(attempt < 200, 'the layout worker was fetched before any snapshot');
    await new Promise((resume) => setTimeout(resume, 50));
  }
  const graph = generatePipelineGraph(200);
  await sendToPanel(page, snapshotted(graph));
  // A state change while the layout is computed: the nodes built meanwhile are not drawn stale.
  const recoloured = graph.nodes.map((entry) => ({ ...entry, state: 'running' as const }));
  await sendToPanel(page, snapshotted({ ...graph, nodes: recoloured }, true, 2));
  await page.locator('.node').first().waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('.viewport').getAttribute('data-layout-thread'), 'worker');
  const drawn = await drawnGraph(page);
  assert.deepEqual(drawn.nodes.map((entry) => entry.id).sort(), graph.nodes.map((entry) => entry.id).sort());
  assert.deepEqual(new Set(drawn.nodes.map((entry) => entry.state)), new Set(['running']), 'the newer states');
  assert.deepEqual(
    drawn.edges.sort(),
    graph.edges.map(([from, to]) => [from, to]).sort(),
    'every edge drawn, between the right nodes',
  );
  for (const [index, one] of drawn.nodes.entries()) {
    for (const two of drawn.nodes.slice(index + 1)) {
      const apart = Math.abs(one.x - two.x) >= NODE_WIDTH || Math.abs(one.y - two.y) >= NODE_HEIGHT;
      assert.ok(apart, `${one.id} and ${two.id} overlap`);
    }
  }
  assert.equal(await page.getByText('200 stages').count(), 1);
  await assertClean(page);
  await page.close();
});

test('Pipeline Graph: a reopened panel draws the saved layout of the same shape at once, and lays out any other shape', async () => {
  const viewport = { width: 1600, height: 900 };
  const graph = generatePipelineGraph(200, { fileCount: 2 });
  const first = await harness.open('pipelineGraph', { viewport });
  await sendToPanel(first, snapshotted(graph));
  await first.locator('.node').first().waitFor({ timeout: 60_000 });
  assert.equal(await first.locator('.viewport').getAttribute('data-layout-thread'), 'worker');
  const laidOut = await drawnGraph(first);
  // Another file and back: the whole graph's layout is kept in the page.
  await first.getByLabel('Pipeline file').selectOption(graph.files[1]!);
  await first.getByLabel('Pipeline file').selectOption('');
  await first.locator('.viewport[data-layout-thread="cache"]').waitFor();
  const savedState = await first.evaluate(() => (window as unknown as { __state: unknown }).__state);
  await first.close();

  const reopened = await harness.open('pipelineGraph', { viewport, savedState });
  await sendToPanel(reopened, snapshotted(graph));
  await reopened.locator('.node').first().waitFor({ timeout: 60_000 });
  assert.equal(await reopened.locator('.viewport').getAttribute('data-layout-thread'), 'cache');
  assert.deepEqual(await drawnGraph(reopened), laidOut, 'the same drawing');
  await assertClean(reopened);
  await reopened.close();

  // One dependency less: not the shape the layout was saved for.
  const changed = await harness.open('pipelineGraph', { viewport, savedState });
  const otherShape = { ...graph, edges: graph.edges.slice(1) };
  await sendToPanel(changed, snapshotted(otherShape));
  await changed.locator('.node').first().waitFor({ timeout: 60_000 });
  assert.equal(await changed.locator('.viewport').getAttribute('data-layout-thread'), 'worker');
  assert.equal((await drawnGraph(changed)).edges.length, otherShape.edges.length);
  await assertClean(changed);
  await changed.close();
});
