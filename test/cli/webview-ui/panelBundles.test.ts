// The panel bundles, as the production build makes them, in headless Chromium under the
// extension's CSP, fed fixture snapshots: DOM assertions, keyboard use, no CSP violation, and
// run values (a hostile run name among them) rendered as text.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { CompareSnapshot } from '../../../src/protocol/compare';
import type { RunDetailsSnapshot } from '../../../src/protocol/runDetails';
import { compareRuns } from '../../../src/engine/runs/compareRuns';
import { type PanelHarness, postedByPanel, sendToPanel, startPanelHarness } from '../../support/panelPage';
import { HOSTILE_NAME, manyRunRows } from '../../support/runRowFixtures';

let harness: PanelHarness;
before(async () => {
  harness = await startPanelHarness();
});
after(async () => {
  await harness?.close();
});

async function assertClean(page: Page): Promise<void> {
  const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
  assert.deepEqual(violations, [], 'no CSP violation');
  const problems = (await postedByPanel(page)).filter((message) => message.type === 'reportProblem');
  assert.deepEqual(problems, [], 'the page reported no problem');
  assert.equal(await page.locator('img').count(), 0, 'no element was parsed out of run values');
}

const rowTexts = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('.grid-row:not([hidden])'))
      .sort((left, right) => Number(left.getAttribute('aria-rowindex')) - Number(right.getAttribute('aria-rowindex')))
      .map((row) => row.dataset.runId),
  );

test('Run History: a virtualised table of 2,000 runs that sorts, filters, selects and exports', async () => {
  const page = await harness.open('runHistory');
  const runs = manyRunRows(2000, { params: 5, metrics: 5 });
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: { revision: 1, runs, now: Date.UTC(2026, 5, 1), trusted: true },
  });
  await page.getByText('2,000 of 2,000 runs').waitFor();
  const rendered = await page.locator('.grid-row:not([hidden])').count();
  assert.ok(rendered > 10 && rendered < 120, `only the rows in view exist (${rendered})`);
  assert.equal(await page.locator('[role=gridcell]', { hasText: HOSTILE_NAME }).first().textContent(), HOSTILE_NAME);

  // Sort: click a metric header (ascending), Shift+click a second key.
  await page.locator('[role=columnheader][data-column="metric:accuracy"]').click();
  assert.equal(await page.locator('[data-column="metric:accuracy"]').getAttribute('aria-sort'), 'ascending');
  const [first] = await rowTexts(page);
  assert.equal(runs.find((run) => run.id === first)!.metrics.accuracy, 0);
  await page.locator('[role=columnheader][data-column="run:name"]').click({ modifiers: ['Shift'] });
  assert.match((await page.locator('[data-column="run:name"]').textContent()) ?? '', /▲2$/);

  // Filter: an expression, then a bad one with its located error.
  const filter = page.getByLabel('Filter runs');
  await filter.fill('status == failed and accuracy > 0.5');
  const expected = runs.filter((run) => run.status === 'failed' && run.metrics.accuracy! > 0.5).length;
  await page.getByText(`${expected.toLocaleString('en-US')} of 2,000 runs`).waitFor();
  await filter.fill('accuracy >');
  assert.match((await page.getByRole('alert').textContent()) ?? '', /column 11: > needs a value after it/);
  assert.equal(
    await page.locator('vscode-textfield').evaluate((field) => (field as { invalid?: boolean }).invalid),
    true,
  );
  assert.equal(await filter.getAttribute('aria-invalid'), 'true', 'the inner input says so to screen readers');
  await filter.fill('');
  assert.equal(await filter.getAttribute('aria-invalid'), 'false');
  await page.getByRole('button', { name: 'mlflow' }).click();
  await page.getByText('400 of 2,000 runs').waitFor();
  await page.getByRole('button', { name: 'mlflow' }).click();

  // Keyboard: focus the grid, move down twice, Space selects, Enter opens.
  await page.getByRole('grid').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const activeId = await page.getByRole('grid').getAttribute('aria-activedescendant');
  assert.ok(activeId, 'the grid points at the active row');
  const activeRun = await page.locator(`#${activeId}`).getAttribute('data-run-id');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Shift+ArrowDown');
  await page.getByRole('button', { name: 'Compare' }).click();
  await page.getByRole('button', { name: 'Export CSV…' }).click();
  const posted = await postedByPanel(page);
  assert.deepEqual(
    posted.find((message) => message.type === 'openRun'),
    { type: 'openRun', runId: activeRun },
  );
  const compare = posted.find((message) => message.type === 'compareRuns') as { runIds: string[] } | undefined;
  assert.equal(compare?.runIds.length, 2);
  const exported = posted.find((message) => message.type === 'exportTable') as
    { format: string; header: string[]; rows: string[][] } | undefined;
  assert.equal(exported?.format, 'csv');
  assert.ok(exported?.header.includes('metrics.accuracy'));
  assert.equal(exported?.rows.length, 2000);

  // The UI state is saved for hide/show and reloads.
  const saved = await page.evaluate(() => (window as unknown as { __state: { table: { sort: unknown[] } } }).__state);
  assert.equal(saved.table.sort.length, 2);
  await assertClean(page);
  await page.close();
});

test('Run History: the cells out of view are written after the frame, and every cell ends up showing its own run', async () => {
  const page = await harness.open('runHistory', { viewport: { width: 900, height: 600 } });
  const runs = manyRunRows(600, { params: 20, metrics: 25 });
  await sendToPanel(page, { type: 'snapshotted', snapshot: { revision: 1, runs, now: 0, trusted: true } });
  await page.getByText('600 of 600 runs').waitFor();
  // Every shown row's cells, by run id; after the idle fill (at the latest 200 ms after a frame).
  const settledCells = async () => {
    await page.waitForTimeout(400);
    return page.evaluate(() =>
      Object.fromEntries(
        Array.from(document.querySelectorAll<HTMLElement>('.grid-row:not([hidden])')).map((row) => [
          row.dataset.runId!,
          Array.from(row.children, (cell) => cell.textContent ?? ''),
        ]),
      ),
    );
  };
  const before = await settledCells();
  const firstRunId = runs[0]!.id;
  const columnCount = before[firstRunId]!.length;
  assert.ok(columnCount > 50, `56 columns, most of them out of a 900 px view (${columnCount})`);
  assert.notEqual(before[firstRunId]![columnCount - 1], '', 'the last column is written too');
  // Scroll far down (every pooled row is given another run), then back: in the frame that shows
  // the first rows again, the columns in view show their run; once idle, every column does.
  // A string: tsx would wrap the named helper in a function the page lacks.
  const inFrame = (await page.evaluate(`(async () => {
    const grid = document.querySelector('.grid');
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    grid.scrollTop = 5000;
    await frame();
    await frame();
    grid.scrollTop = 0;
    await frame();
    await frame();
    const row = document.querySelector('.grid-row:not([hidden])[aria-rowindex="3"]');
    return { runId: row.dataset.runId, cells: Array.from(row.children, (cell) => cell.textContent ?? '') };
  })()`)) as { runId: string; cells: string[] };
  assert.equal(inFrame.runId, firstRunId);
  assert.deepEqual(inFrame.cells.slice(0, 5), before[firstRunId]!.slice(0, 5), 'the columns in view at once');
  const after = await settledCells();
  for (const [runId, cells] of Object.entries(after)) {
    if (before[runId]) assert.deepEqual(cells, before[runId], `every cell of ${runId} shows its own run`);
  }
  assert.ok(Object.keys(after).filter((runId) => before[runId]).length > 10);
  // Every column hidden (a "hide all" per group): rows with no cell, drawn and scrolled without an error.
  await page.getByRole('button', { name: 'Columns…' }).click();
  for (let group = 0; group < 3; group++) await page.getByRole('button', { name: 'hide all' }).first().click();
  await page.keyboard.press('Escape');
  await page.evaluate(() => {
    document.querySelector<HTMLElement>('.grid')!.scrollTop = 3000;
  });
  await page.waitForTimeout(400);
  assert.equal(await page.locator('.grid-row:not([hidden]) [role=gridcell]').count(), 0);
  await assertClean(page);
  await page.close();
});

test('Run History: a restored state comes back, and deltas put new runs on top', async () => {
  const runs = manyRunRows(50, { params: 2, metrics: 2 });
  const page = await harness.open('runHistory', {
    savedState: { table: { filter: 'model == cnn', sort: [], hidden: [], columnOrder: [], widths: {} } },
  });
  await sendToPanel(page, { type: 'snapshotted', snapshot: { revision: 4, runs, now: 0, trusted: true } });
  assert.equal(await page.getByLabel('Filter runs').inputValue(), 'model == cnn');
  await page.getByText('17 of 50 runs').waitFor();
  // Fewer rows than before: the row elements left over are not on screen.
  await page.getByLabel('Filter runs').fill('');
  await page.getByText('50 of 50 runs').waitFor();
  await page.getByLabel('Filter runs').fill('model == cnn');
  await page.getByText('17 of 50 runs').waitFor();
  assert.equal(await page.locator('.grid-row:visible').count(), 17, 'only the shown runs’ rows are visible');
  const fresh = { ...runs[3]!, id: 'run-new', name: 'fresh', status: 'running' as const };
  await sendToPanel(page, { type: 'runsChanged', revision: 5, now: 0, upserted: [fresh], removed: [runs[0]!.id] });
  await page.getByText('17 of 50 runs').waitFor();
  assert.equal((await rowTexts(page))[0], 'run-new');
  await sendToPanel(page, { type: 'snapshotted', snapshot: { revision: 6, runs, now: 0, trusted: false } });
  await page.locator('.grid-row:not([hidden])').first().click();
  assert.equal(
    await page.getByRole('button', { name: 'Star', exact: true }).isDisabled(),
    true,
    'read-only when untrusted',
  );
  assert.equal(await page.getByRole('button', { name: 'Delete…' }).isDisabled(), true);
  await sendToPanel(page, { type: 'runsChanged', revision: 9, now: 0, upserted: [], removed: [] });
  const readies = (await postedByPanel(page)).filter((message) => message.type === 'ready');
  assert.equal(readies.length, 2, 'a delta for another revision asks for a snapshot');
  await assertClean(page);
  await page.close();
});

test('Run Details: status, reason, stages with where they ran, log tail and buttons, all as text', async () => {
  const page = await harness.open('runDetails');
  const [run] = manyRunRows(1, { params: 2, metrics: 2 });
  const snapshot: RunDetailsSnapshot = {
    runId: run!.id,
    run: { ...run!, status: 'failed' },
    now: 0,
    trusted: true,
    reason: 'train: exit code 3',
    targets: ['train'],
    runner: 'local',
    stages: [
      {
        address: 'train',
        status: 'failed',
        startedAt: 0,
        endedAt: 1500,
        durationMs: 1500,
        exitCode: 3,
        detail: 'exit code 3 <b>bold</b>',
        where: 'cluster · Slurm job 42 · queued: Priority',
        outs: { 'model.pkl': 'd41d8cd98f00b204e9800998ecf8427e' },
        deps: {},
        logFile: '/ws/.mlc/runs/r/logs/train.log',
      },
    ],
    logs: [{ file: '/ws/.mlc/runs/r/logs/train.log', lines: ['<script>alert(1)</script>', 'done'], truncated: true }],
    problems: [],
  };
  await sendToPanel(page, { type: 'snapshotted', snapshot });
  await page.getByRole('heading', { name: `Run ${HOSTILE_NAME}` }).waitFor();
  assert.equal(await page.getByText('train: exit code 3').count(), 1);
  assert.equal(await page.getByText('exit code 3 <b>bold</b>').count(), 1);
  assert.equal(await page.getByRole('columnheader', { name: 'where' }).count(), 1);
  assert.equal(await page.getByText('cluster · Slurm job 42 · queued: Priority').count(), 1);
  assert.equal(await page.locator('pre').textContent(), '<script>alert(1)</script>\ndone');
  assert.equal(await page.getByText('d41d8cd98f00b204e9800998ecf8427e').count(), 1);
  await page.getByRole('button', { name: 'Open log' }).click();
  // Keyboard: the Rerun button takes focus and Enter presses it.
  await page.getByRole('button', { name: 'Rerun' }).focus();
  await page.keyboard.press('Enter');
  const posted = await postedByPanel(page);
  assert.ok(posted.some((message) => message.type === 'openFile' && message.path === snapshot.stages[0]!.logFile));
  assert.ok(posted.some((message) => message.type === 'rerun'));
  assert.deepEqual(await page.evaluate(() => (window as unknown as { __state: unknown }).__state), { runId: run!.id });
  assert.equal(await page.locator('script').count(), 1, 'only the bundle’s own script');
  await assertClean(page);
  await page.close();
});

/** The host's comparison of run rows, as the Compare panel is sent it. */
function compareRunRows(rows: ReturnType<typeof manyRunRows>) {
  return compareRuns(
    rows.map((row) => ({
      id: row.id,
      source: row.source,
      name: row.name,
      status: row.status,
      params: row.params,
      metrics: row.metrics as Record<string, number>,
      location: row.location,
    })),
  );
}

test('Compare: differing rows highlighted, only-differences toggle, baseline choice, parallel coordinates', async () => {
  const page = await harness.open('compare');
  const rows = manyRunRows(3, { params: 3, metrics: 2 });
  const comparison = compareRunRows(rows);
  const snapshot: CompareSnapshot = {
    runs: rows,
    missing: [],
    baselineId: rows[0]!.id,
    rows: comparison.rows,
    gitChanges: [
      { from: 'a'.repeat(40), to: 'b'.repeat(40), files: ['src/train.py'], dirty: true },
      { from: 'a'.repeat(40), to: 'a'.repeat(40), files: [], dirty: false },
    ],
  };
  await sendToPanel(page, { type: 'snapshotted', snapshot });
  await page.getByRole('heading', { name: 'Compare 3 runs' }).waitFor();
  const differing = await page.locator('tr.differs').count();
  const total = comparison.rows.length;
  assert.equal(differing, comparison.rows.filter((row) => row.differs).length);
  assert.equal(await page.locator('tbody tr:not(.group-row)').count(), total);
  await page.getByRole('button', { name: 'Only differences' }).click();
  assert.equal(await page.locator('tbody tr:not(.group-row)').count(), differing);
  assert.equal(await page.locator('svg.parallel polyline').count(), 3);
  // Brushing: a drag along the first axis brushes it; the lines outside the range dim.
  const axis = (await page.locator('svg.parallel rect.axis-hit').first().boundingBox())!;
  await page.mouse.move(axis.x + axis.width / 2, axis.y + 1);
  await page.mouse.down();
  await page.mouse.move(axis.x + axis.width / 2, axis.y + axis.height * 0.6, { steps: 4 });
  await page.mouse.up();
  assert.equal(await page.locator('svg.parallel rect.brush').count(), 1);
  const kept = 3 - (await page.locator('svg.parallel polyline.dimmed').count());
  await page.getByText(`${kept} of 3 runs inside the brushes`, { exact: false }).waitFor();
  assert.equal(await page.getByText('src/train.py').count(), 1);
  assert.equal(
    await page.getByText('A run had uncommitted changes when it ran: they are not in this list.').count(),
    1,
  );
  await page.getByRole('heading', { name: 'Same commit aaaaaaaa' }).waitFor();
  assert.equal(await page.getByText('No file changed between the runs’ commits.').count(), 1);
  // The baseline picker is a vscode-single-select: open it with the keyboard, pick by name.
  await page.getByRole('combobox', { name: 'Baseline run' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('option', { name: rows[2]!.name, exact: true }).click();
  const posted = await postedByPanel(page);
  assert.ok(posted.some((message) => message.type === 'setBaseline' && message.runId === rows[2]!.id));
  await assertClean(page);
  await page.close();
});

test('Compare: a parallel-coordinates axis is brushed from the keyboard, and the brush announced', async () => {
  const page = await harness.open('compare');
  const rows = manyRunRows(3, { params: 2, metrics: 1 });
  const comparison = compareRunRows(rows);
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: { runs: rows, missing: [], baselineId: rows[0]!.id, rows: comparison.rows, gitChanges: [] },
  });
  await page.getByRole('heading', { name: 'Compare 3 runs' }).waitFor();
  const sliders = page.getByRole('slider');
  assert.ok((await sliders.count()) >= 2, 'every axis is a slider in the accessibility tree');
  const firstAxis = sliders.first();
  const axisName = (await firstAxis.getAttribute('data-axis'))!;
  assert.equal(await firstAxis.getAttribute('aria-label'), `Brush on ${axisName}`);
  assert.equal(await firstAxis.getAttribute('aria-valuetext'), 'no brush');

  // Tab reaches the axis (past the chooser's controls); an arrow draws a brush, the focus stays.
  await page.getByRole('button', { name: 'Clear brushes' }).focus();
  await page.keyboard.press('Tab');
  const focused = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.axis);
  assert.equal(await focused(), axisName, 'Tab moves from the chooser to the first axis');
  await page.keyboard.press('ArrowUp');
  assert.equal(await page.locator('svg.parallel rect.brush').count(), 1);
  assert.equal(await focused(), axisName, 'the axis keeps the focus across the render');
  const drawn = (await page.getByRole('slider', { name: `Brush on ${axisName}` }).getAttribute('aria-valuetext'))!;
  assert.match(drawn, /^brushed from \S+ to \S+$/);
  const status = page.getByRole('status');
  assert.match((await status.textContent())!, new RegExp(`^${axisName}: brushed from .* runs inside the brushes\\.$`));

  // Shift+ArrowUp widens it, ArrowDown moves it: the brush rectangle changes each time.
  const brushBox = async () => (await page.locator('svg.parallel rect.brush').boundingBox())!;
  const before = await brushBox();
  await page.keyboard.press('Shift+ArrowUp');
  const widened = await brushBox();
  assert.ok(widened.height > before.height, `widened: ${before.height} -> ${widened.height}`);
  await page.keyboard.press('ArrowDown');
  const moved = await brushBox();
  assert.ok(moved.y > widened.y && Math.abs(moved.height - widened.height) < 0.5, 'moved down, same height');
  const dimmed = await page.locator('svg.parallel polyline.dimmed').count();
  await page
    .locator('#app')
    .getByText(`${3 - dimmed} of 3 runs inside the brushes`, { exact: false })
    .waitFor();

  // Escape clears it and says so.
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('svg.parallel rect.brush').count(), 0);
  assert.equal(await page.locator('svg.parallel polyline.dimmed').count(), 0);
  assert.equal(await status.textContent(), `${axisName}: no brush; 3 of 3 runs inside the brushes.`);
  assert.equal(await focused(), axisName);
  await assertClean(page);
  await page.close();
});

test('Run History: a run in which alerts fired carries a ⚠ marker on its status, with the alerts as its tooltip', async () => {
  const [plain, alerted] = manyRunRows(2, { params: 1, metrics: 1 });
  const runs = [plain!, { ...alerted!, alerts: ['loss is NaN at step 1 of train', HOSTILE_NAME] }];
  const page = await harness.open('runHistory');
  await sendToPanel(page, { type: 'snapshotted', snapshot: { revision: 1, runs, now: 0, trusted: true } });
  const marked = page.locator('.grid-row:not([hidden]) .has-alerts');
  await marked.first().waitFor();
  assert.equal(await marked.count(), 1);
  assert.equal(await marked.getAttribute('title'), `Alerts:\nloss is NaN at step 1 of train\n${HOSTILE_NAME}`);
  assert.equal(await marked.evaluate((cell) => getComputedStyle(cell, '::after').content), '" ⚠"');
  await assertClean(page);
  await page.close();
});

test('the controls are @vscode-elements components, and each bundle stays within its 150 kB budget', async () => {
  const page = await harness.open('runHistory');
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: { revision: 1, runs: manyRunRows(3, { params: 1, metrics: 1 }), now: 0, trusted: true },
  });
  await page.getByText('3 of 3 runs').waitFor();
  assert.equal(await page.locator('vscode-textfield').count(), 1, 'the filter is a vscode-textfield');
  assert.equal(await page.locator('button').count(), 0, 'no plain <button> left');
  const compare = page.locator('vscode-button', { hasText: 'Compare' });
  assert.equal(await compare.getAttribute('aria-disabled'), 'true', 'a disabled button says so to screen readers');
  // Quick filters are toggle buttons: aria-pressed follows the state.
  const failed = page.getByRole('button', { name: 'failed', exact: true });
  await failed.focus();
  await page.keyboard.press('Space');
  assert.equal(await failed.getAttribute('aria-pressed'), 'true');
  // A render that changes no button's state leaves the buttons alone: each attribute write on a
  // custom element restyles it, and Run History renders on every keystroke of the filter.
  await page.evaluate(() => {
    const records: MutationRecord[] = [];
    (window as unknown as { __buttonMutations: MutationRecord[] }).__buttonMutations = records;
    const observer = new MutationObserver((found) => records.push(...found));
    document.querySelectorAll('vscode-button').forEach((button) =>
      observer.observe(button, {
        // What a render sets (a button's own focus handling reflects `focused`, not ours to count).
        attributeFilter: ['aria-pressed', 'aria-disabled', 'disabled', 'secondary', 'title'],
        childList: true,
        characterData: true,
      }),
    );
  });
  await page.getByLabel('Filter runs').fill('no run is named like this');
  await page.getByText('0 of 3 runs').waitFor();
  const buttonMutations = await page.evaluate(() =>
    (window as unknown as { __buttonMutations: MutationRecord[] }).__buttonMutations.map(
      (record) => `${(record.target as Element).textContent} ${record.type} ${record.attributeName}`,
    ),
  );
  assert.deepEqual(buttonMutations, [], 'no button was touched by a render that changed none');
  await page.getByRole('button', { name: 'Columns…' }).click();
  assert.ok((await page.locator('dialog vscode-checkbox').count()) >= 3, 'the column chooser uses vscode-checkbox');
  await assertClean(page);
  await page.close();
  for (const [panel, bytes] of Object.entries(harness.sizes)) {
    assert.ok(bytes <= 150_000, `${panel}.js is ${bytes} bytes minified, over the 150 kB budget`);
  }
});

test('without adoptedStyleSheets, the controls’ <style> elements carry the page nonce and pass the CSP', async () => {
  // Lit falls back to <style> elements in each shadow root where constructed stylesheets are
  // missing; style-src admits them only by the nonce (no 'unsafe-inline').
  const page = await harness.open('runDetails', { initScript: 'delete Document.prototype.adoptedStyleSheets;' });
  const [run] = manyRunRows(1, { params: 1, metrics: 1 });
  const snapshot: RunDetailsSnapshot = {
    runId: run!.id,
    run: run!,
    now: 0,
    trusted: true,
    reason: null,
    targets: [],
    runner: null,
    stages: [],
    logs: [],
    problems: [],
  };
  await sendToPanel(page, { type: 'snapshotted', snapshot });
  const rerun = page.getByRole('button', { name: 'Rerun' });
  await rerun.waitFor();
  const styles = await rerun.evaluate((button) =>
    Array.from(button.shadowRoot?.querySelectorAll('style') ?? []).map((style) => style.nonce),
  );
  assert.ok(styles.length > 0, 'Lit wrote <style> elements');
  assert.ok(
    styles.every((nonce) => nonce === 'dGVzdC1ub25jZQ'),
    `every one carries the page nonce (${styles.join()})`,
  );
  // Styled: the component's own padding applies (an unstyled host would have none).
  const padding = await rerun.evaluate(
    (button) => getComputedStyle(button.shadowRoot!.querySelector('.base')!).paddingLeft,
  );
  assert.equal(padding, '13px');
  await assertClean(page);
  await page.close();
});
