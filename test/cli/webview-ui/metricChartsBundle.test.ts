// The Metric Charts bundle, as the production build makes it, in headless Chromium under the
// extension's CSP, fed fixture snapshots: canvases drawn, pixels that change with a live append,
// the hover readout, legend toggles, x axes, smoothing, search, pins, zoom refinement, exports,
// and the Plots tab's mount point.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { MetricChartsUpdate } from '../../../src/protocol/metricCharts';
import { curvePoints, manyChartRuns } from '../../support/chartRunFixtures';
import { type PanelHarness, postedByPanel, sendToPanel, startPanelHarness } from '../../support/panelPage';
import { HOSTILE_NAME } from '../../support/runRowFixtures';

let harness: PanelHarness;
before(async () => {
  harness = await startPanelHarness();
});
after(async () => {
  await harness?.close();
});

const chart = (page: Page, metric: string) => page.locator(`.chart[data-metric="${metric}"]`);

/** The chart's canvas as a data URL (its pixels). */
const canvasPixels = (page: Page, metric: string) =>
  chart(page, metric)
    .locator('canvas')
    .evaluate((canvas) => (canvas as HTMLCanvasElement).toDataURL());

/** Waits until the chart was drawn more times than `draws` (a frame and uPlot's commit later). */
async function drawnAfter(page: Page, metric: string, draws: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const now = Number((await chart(page, metric).getAttribute('data-draws')) ?? 0);
    if (now > draws) {
      // uPlot paints in a microtask after setData; one more frame makes sure it has.
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined))));
      return now;
    }
    await new Promise((resume) => setTimeout(resume, 25));
  }
  throw new Error(`${metric} was not drawn again`);
}

const draws = async (page: Page, metric: string) => Number((await chart(page, metric).getAttribute('data-draws')) ?? 0);

/** How many pixels of the canvas are not transparent. */
const paintedPixels = (page: Page, metric: string) =>
  chart(page, metric)
    .locator('canvas')
    .evaluate((canvas) => {
      const element = canvas as HTMLCanvasElement;
      const data = element.getContext('2d')!.getImageData(0, 0, element.width, element.height).data;
      let painted = 0;
      for (let index = 3; index < data.length; index += 4) if (data[index]! > 0) painted++;
      return painted;
    });

async function assertClean(page: Page): Promise<void> {
  const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
  assert.deepEqual(violations, [], 'no CSP violation');
  const problems = (await postedByPanel(page)).filter((message) => message.type === 'reportProblem');
  assert.deepEqual(problems, [], 'the page reported no problem');
  assert.equal(await page.locator('img').count(), 0, 'no element was parsed out of run values');
}

test('Metric Charts: a chart per metric grouped by prefix, drawn, growing with live batches, with a hover readout', async () => {
  const page = await harness.open('metricCharts');
  const runs = manyChartRuns(3, 200, 3);
  const live = { ...runs[2]!, status: 'running' as const };
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: { runs: [runs[0]!, runs[1]!, live], live: [live.id], missing: ['gone-run'] },
  } satisfies MetricChartsUpdate);
  await chart(page, 'train/loss').locator('canvas').waitFor();
  await drawnAfter(page, 'train/loss', 0);
  assert.deepEqual(await page.locator('.chart-group h2').allTextContents(), ['Metrics', 'train/', 'val/']);
  assert.equal(await page.locator('.chart').count(), 3);
  assert.ok((await paintedPixels(page, 'train/loss')) > 1000, 'the canvas has lines and axes on it');
  assert.equal(await chart(page, 'train/loss').getAttribute('data-point-count'), '600');
  assert.equal(
    await page.getByRole('button', { name: HOSTILE_NAME, exact: true }).count(),
    1,
    'the hostile name is text',
  );
  assert.equal(await page.getByText('gone-run (not found)').count(), 1);
  assert.match((await page.locator('.legend-run').nth(2).textContent()) ?? '', /live/);

  // A live batch: new points reach the canvas, the same canvas element (no flicker).
  const before = await canvasPixels(page, 'train/loss');
  const canvasBefore = await chart(page, 'train/loss').locator('canvas').elementHandle();
  const drawn = await draws(page, 'train/loss');
  await sendToPanel(page, {
    type: 'seriesAppended',
    runId: live.id,
    reset: false,
    series: { 'train/loss': curvePoints(2, 0, 200, 100) },
    live: true,
  } satisfies MetricChartsUpdate);
  await drawnAfter(page, 'train/loss', drawn);
  assert.equal(await chart(page, 'train/loss').getAttribute('data-point-count'), '700');
  assert.ok((await canvasPixels(page, 'train/loss')) !== before, 'the pixels changed');
  const canvasAfter = await chart(page, 'train/loss').locator('canvas').elementHandle();
  assert.ok(await page.evaluate(([left, right]) => left === right, [canvasBefore, canvasAfter]), 'same canvas');

  // Hover: the readout lists every run's value at the cursor.
  const over = chart(page, 'train/loss').locator('.u-over');
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  const readout = chart(page, 'train/loss').locator('.readout');
  await readout.locator('.readout-run').first().waitFor();
  assert.match((await readout.textContent()) ?? '', /^Step \d+/);
  assert.equal(await readout.locator('.readout-run').count(), 3);
  assert.ok(((await readout.textContent()) ?? '').includes(`${HOSTILE_NAME}: `));

  // Legend toggle: the run leaves the readout (and the chart), and comes back.
  await page.getByRole('button', { name: 'train 1', exact: true }).click();
  assert.equal(await page.getByRole('button', { name: 'train 1', exact: true }).getAttribute('aria-pressed'), 'false');
  await page.mouse.move(box.x + box.width * 0.31, box.y + box.height / 2);
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  assert.equal(await readout.locator('.readout-run').count(), 2);
  assert.equal(((await readout.textContent()) ?? '').includes('train 1:'), false);
  await page.getByRole('button', { name: 'train 1', exact: true }).click();
  await assertClean(page);
  await page.close();
});

test('Metric Charts: x axes, smoothing, log scale, search, pins, zoom refinement, exports and the Plots tab', async () => {
  const page = await harness.open('metricCharts');
  const runs = manyChartRuns(2, 500, 2, true);
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: { runs, live: [], missing: [] },
  } satisfies MetricChartsUpdate);
  await drawnAfter(page, 'train/loss', 0);
  const stepPixels = await canvasPixels(page, 'train/loss');

  const over = chart(page, 'train/loss').locator('.u-over');
  const box = (await over.boundingBox())!;
  const readoutX = async () => {
    await page.mouse.move(box.x + box.width * 0.21, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await chart(page, 'train/loss').locator('.readout-run').first().waitFor();
    return (await chart(page, 'train/loss').locator('.readout-x').textContent()) ?? '';
  };
  // The runs started an hour apart: on wall time their curves no longer overlap.
  let drawn = await draws(page, 'train/loss');
  await page.getByLabel('X axis').selectOption('wallTime');
  await drawnAfter(page, 'train/loss', drawn);
  assert.ok((await canvasPixels(page, 'train/loss')) !== stepPixels, 'wall time draws another picture');
  assert.match(await readoutX(), /^Wall time 2026-/);
  drawn = await draws(page, 'train/loss');
  await page.getByLabel('X axis').selectOption('relativeTime');
  await drawnAfter(page, 'train/loss', drawn);
  assert.match(await readoutX(), /^Relative time \(s\) [\d.,]+ s$/);
  await page.getByLabel('X axis').selectOption('step');

  drawn = await draws(page, 'train/loss');
  await page.getByLabel('Smoothing').fill('0.9');
  await drawnAfter(page, 'train/loss', drawn);
  assert.equal(await chart(page, 'train/loss').getAttribute('data-point-count'), '1000', 'raw points still counted');
  drawn = await draws(page, 'train/loss');
  await page.getByRole('button', { name: 'Log scale' }).click();
  await drawnAfter(page, 'train/loss', drawn);
  assert.equal(await page.getByRole('button', { name: 'Log scale' }).getAttribute('aria-pressed'), 'true');

  await page.getByLabel('Search metrics').fill('val');
  await page.locator('.chart[data-metric="train/loss"]').waitFor({ state: 'detached' });
  assert.equal(await page.locator('.chart').count(), 1);
  await page.getByLabel('Search metrics').fill('');
  await chart(page, 'val/loss').getByRole('button', { name: 'Pin' }).click();
  await page.locator('.chart-group', { hasText: 'Pinned' }).locator('.chart[data-metric="val/loss"]').waitFor();
  assert.equal(await page.locator('.chart-group h2').first().textContent(), 'Pinned');

  // Drag to zoom: the page asks the host for the visible range of each downsampled run.
  await drawnAfter(page, 'train/loss', 0);
  const zoomBox = (await chart(page, 'train/loss').locator('.u-over').boundingBox())!;
  await page.mouse.move(zoomBox.x + zoomBox.width * 0.4, zoomBox.y + 20);
  await page.mouse.down();
  await page.mouse.move(zoomBox.x + zoomBox.width * 0.6, zoomBox.y + 20, { steps: 5 });
  await page.mouse.up();
  let refine: Record<string, unknown> | undefined;
  for (let attempt = 0; attempt < 100 && !refine; attempt++) {
    refine = (await postedByPanel(page)).find((message) => message.type === 'refineSeries');
    if (!refine) await new Promise((resume) => setTimeout(resume, 50));
  }
  assert.ok(refine, 'a refinement was asked for');
  const ranges = refine.ranges as { runId: string; min: number; max: number }[];
  assert.equal(refine.metric, 'train/loss');
  assert.equal(refine.x, 'step');
  assert.equal(ranges.length, 2);
  assert.ok(ranges[0]!.min > 150 && ranges[0]!.max < 350, `the dragged range (${ranges[0]!.min}..${ranges[0]!.max})`);
  drawn = await draws(page, 'train/loss');
  const detail = curvePoints(0, 0, Math.ceil(ranges[0]!.min), 5);
  await sendToPanel(page, {
    type: 'seriesRefined',
    requestId: refine.requestId as number,
    metric: 'train/loss',
    series: { [ranges[0]!.runId]: { ...detail, downsampled: false } },
  } satisfies MetricChartsUpdate);
  await drawnAfter(page, 'train/loss', drawn);
  // A live batch after the zoom keeps it: the x axis shows the same range; Reset zoom fits all again.
  const xTicks = () => chart(page, 'train/loss').getAttribute('data-x-range');
  const zoomedTicks = await xTicks();
  drawn = await draws(page, 'train/loss');
  await sendToPanel(page, {
    type: 'seriesAppended',
    runId: runs[0]!.id,
    reset: false,
    series: { 'train/loss': curvePoints(0, 0, 500, 50) },
    live: true,
  } satisfies MetricChartsUpdate);
  await drawnAfter(page, 'train/loss', drawn);
  assert.equal(await xTicks(), zoomedTicks, 'the zoom survived the live batch');
  drawn = await draws(page, 'train/loss');
  await page.getByRole('button', { name: 'Reset zoom' }).click();
  await drawnAfter(page, 'train/loss', drawn);
  assert.notEqual(await xTicks(), zoomedTicks, 'reset shows the whole range');

  await chart(page, 'val/loss').getByRole('button', { name: 'PNG' }).click();
  await chart(page, 'val/loss').getByRole('button', { name: 'CSV' }).click();
  const posted = await postedByPanel(page);
  const png = posted.find((message) => message.type === 'exportPng');
  assert.equal(png?.metric, 'val/loss');
  assert.match(String(png?.dataUrl), /^data:image\/png;base64,/);
  const csv = posted.find((message) => message.type === 'exportCsv') as unknown as {
    header: string[];
    rows: string[][];
  };
  assert.deepEqual(csv.header, ['Step', `${HOSTILE_NAME} (run-00000)`, 'train 1 (run-00001)']);
  assert.equal(csv.rows.length, 500);

  // The Plots tab holds only the plots module's mount point.
  await page.getByRole('tab', { name: 'Plots' }).click();
  assert.equal(await page.locator('#panel-plots').isVisible(), true);
  assert.equal(await page.locator('#panel-plots #plots-root').count(), 1);
  assert.equal(await page.locator('#panel-metrics').isVisible(), false);
  const saved = await page.evaluate(() => (window as unknown as { __state: Record<string, unknown> }).__state);
  assert.deepEqual(saved.runIds, ['run-00000', 'run-00001']);
  assert.deepEqual(saved.pinned, ['val/loss']);
  assert.equal(saved.tab, 'plots');
  await assertClean(page);
  await page.close();
});

test('Metric Charts: with many metrics, charts far below the fold are drawn when scrolled near', async () => {
  const page = await harness.open('metricCharts');
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: { runs: manyChartRuns(3, 100, 40), live: [], missing: [] },
  } satisfies MetricChartsUpdate);
  await drawnAfter(page, 'm2', 0);
  assert.equal(await page.locator('.chart').count(), 40, 'a card per metric');
  const drawn = await page.locator('.chart canvas').count();
  assert.ok(drawn > 0 && drawn < 40, `only the charts near the view are drawn (${drawn})`);
  const last = page.locator('.chart').last();
  const lastMetric = (await last.getAttribute('data-metric'))!;
  assert.equal(await last.locator('canvas').count(), 0);
  await last.scrollIntoViewIfNeeded();
  await drawnAfter(page, lastMetric, 0);
  assert.equal(await last.locator('canvas').count(), 1);
  await assertClean(page);
  await page.close();
});

test('Metric Charts: an alert is a marker in its run colour at the step it fired, on its metric chart only', async () => {
  const page = await harness.open('metricCharts');
  // A theme's chart colours, as VS Code sets them on <html>.
  await page.evaluate(() => {
    const colours = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];
    for (const [index, name] of ['blue', 'orange', 'green', 'purple', 'red', 'yellow'].entries())
      document.documentElement.style.setProperty(`--vscode-charts-${name}`, colours[index]!);
  });
  const runs = manyChartRuns(2, 200, 2);
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: { runs, live: [], missing: [] },
  } satisfies MetricChartsUpdate);
  await drawnAfter(page, 'train/loss', 0);
  const withoutAlerts = await canvasPixels(page, 'train/loss');
  assert.equal(await chart(page, 'train/loss').locator('.alert-marker').count(), 0);

  // Run 1's loss went NaN at step 100; the message carries a hostile metric name.
  const message = `${HOSTILE_NAME} is NaN at step 100 of train`;
  const alerted = { ...runs[1]!, alerts: [{ metric: 'train/loss', step: 100, message }] };
  const drawn = await draws(page, 'train/loss');
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: { runs: [runs[0]!, alerted], live: [], missing: [] },
  } satisfies MetricChartsUpdate);
  await drawnAfter(page, 'train/loss', drawn);
  const marker = chart(page, 'train/loss').locator('.alert-marker');
  await marker.waitFor();
  assert.equal(await marker.count(), 1);
  assert.equal(await marker.textContent(), `⚠ ${message}`, 'the message is text');
  assert.equal(await marker.getAttribute('data-run-id'), 'run-00001');
  assert.equal(await chart(page, 'val/loss').locator('.alert-marker').count(), 0, 'not on another metric');
  assert.notEqual(await canvasPixels(page, 'train/loss'), withoutAlerts, 'the marker line is on the canvas');

  // At step 100 of 0..199: about the middle of the plot, in the colour of run 1's legend swatch.
  const placement = await marker.evaluate((label) => {
    const over = label.closest('.u-over')!.getBoundingClientRect();
    return (label.getBoundingClientRect().left - over.left) / over.width;
  });
  assert.ok(placement > 0.45 && placement < 0.55, `the marker is at step 100 (${placement})`);
  const markerColour = await marker.evaluate((label) => getComputedStyle(label).color);
  const swatchColour = await page
    .locator('.legend-run[data-run-id="run-00001"] .swatch')
    .evaluate((swatch) => getComputedStyle(swatch).backgroundColor);
  assert.equal(markerColour, swatchColour);

  // On wall time the marker follows the run's point at that step; hiding the run hides it.
  const drawnOnSteps = await draws(page, 'train/loss');
  await page.getByLabel('X axis').selectOption('wallTime');
  await drawnAfter(page, 'train/loss', drawnOnSteps);
  assert.equal(await chart(page, 'train/loss').locator('.alert-marker').count(), 1);
  await page.getByRole('button', { name: 'train 1', exact: true }).click();
  await chart(page, 'train/loss').locator('.alert-marker').waitFor({ state: 'detached' });
  assert.equal(await chart(page, 'train/loss').getAttribute('data-alert-markers'), '0');
  await assertClean(page);
  await page.close();
});

test('Metric Charts: an alert that fires in a live run arrives with a live batch and is drawn at once, once', async () => {
  const page = await harness.open('metricCharts');
  const runs = manyChartRuns(2, 200, 2);
  await sendToPanel(page, {
    type: 'snapshotted',
    snapshot: { runs, live: [runs[1]!.id], missing: [] },
  } satisfies MetricChartsUpdate);
  await drawnAfter(page, 'train/loss', 0);
  assert.equal(await chart(page, 'train/loss').locator('.alert-marker').count(), 0);

  // No snapshot follows: the marker comes with the batch (points of its own or none).
  const message = `${HOSTILE_NAME} is NaN at step 150 of train`;
  const alert = { metric: 'train/loss', step: 150, message };
  let drawn = await draws(page, 'train/loss');
  await sendToPanel(page, {
    type: 'seriesAppended',
    runId: runs[1]!.id,
    reset: false,
    series: {},
    live: true,
    alerts: [alert],
  } satisfies MetricChartsUpdate);
  await drawnAfter(page, 'train/loss', drawn);
  const marker = chart(page, 'train/loss').locator('.alert-marker');
  await marker.waitFor();
  assert.equal(await marker.textContent(), `⚠ ${message}`);
  assert.equal(await marker.getAttribute('data-run-id'), runs[1]!.id);
  assert.equal(await chart(page, 'val/loss').locator('.alert-marker').count(), 0, 'not on another metric');

  // The same alert again (a later batch) with new points: still one marker, and the points drawn.
  drawn = await draws(page, 'train/loss');
  await sendToPanel(page, {
    type: 'seriesAppended',
    runId: runs[1]!.id,
    reset: false,
    series: { 'train/loss': curvePoints(1, 0, 200, 50) },
    live: true,
    alerts: [alert],
  } satisfies MetricChartsUpdate);
  await drawnAfter(page, 'train/loss', drawn);
  assert.equal(await chart(page, 'train/loss').getAttribute('data-alert-markers'), '1');
  await assertClean(page);
  await page.close();
});
