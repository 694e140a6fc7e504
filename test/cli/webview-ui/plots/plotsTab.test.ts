// The Plots tab of the Metric Charts bundle (webview-ui/plots mounted in #plots-root), as the
// production build makes it, in headless Chromium under the extension's CSP: it asks for plots
// when shown, then draws a line chart with uPlot, a confusion heatmap with counts, bars and an
// image, revisions side by side; file text stays text.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { PlotsUpdate } from '../../../../src/protocol/plots';
import { type PanelHarness, postedByPanel, sendToPanel, startPanelHarness } from '../../../support/panelPage';

let harness: PanelHarness;
before(async () => {
  harness = await startPanelHarness();
});
after(async () => {
  await harness?.close();
});

/** A 2x2 PNG (red), as a data: URI: the panel's CSP allows the webview's own origin and data:. */
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==';

function plotsUpdate(requestId: number): PlotsUpdate {
  return {
    type: 'plotsLoaded',
    requestId,
    snapshot: {
      revisions: ['workspace', 'mlc:run-1'],
      problems: [
        {
          file: 'dvc.yaml',
          line: 3,
          column: 5,
          severity: 'warning',
          code: 'plotColumnMissing',
          message: 'no column z',
        },
      ],
      plots: [
        {
          kind: 'line',
          template: 'linear',
          id: 'logs/train.csv',
          title: 'logs/train.csv',
          xLabel: 'epoch',
          yLabel: 'loss',
          missing: [],
          series: [
            { revision: 'workspace', file: 'logs/train.csv', field: 'loss', x: [0, 1, 2, 3], y: [0.9, 0.6, 0.45, 0.4] },
            { revision: 'mlc:run-1', file: 'logs/train.csv', field: 'loss', x: [0, 1, 2], y: [1, 0.8, null] },
          ],
        },
        {
          kind: 'confusion',
          template: 'confusion',
          id: 'plots/confusion.csv',
          title: 'Confusion <b>matrix</b>',
          xLabel: 'actual',
          yLabel: 'predicted',
          missing: [{ revision: 'mlc:run-1', file: 'plots/confusion.csv', reason: 'not in commit 1a2b3c4' }],
          matrices: [
            {
              revision: 'workspace',
              file: 'plots/confusion.csv',
              classes: ['0', '1'],
              counts: [
                [40, 2],
                [5, 53],
              ],
            },
          ],
        },
        {
          kind: 'bar',
          template: 'bar_horizontal_sorted',
          id: 'hist.csv',
          title: 'hist.csv',
          xLabel: 'count',
          yLabel: 'digit',
          missing: [],
          groups: [
            {
              revision: 'workspace',
              file: 'hist.csv',
              bars: [
                { category: '7', value: 12 },
                { category: '<img src=x>', value: 3 },
              ],
            },
          ],
        },
        {
          kind: 'image',
          id: 'eval/importance.png',
          title: 'eval/importance.png',
          xLabel: '',
          yLabel: '',
          missing: [],
          images: [
            { revision: 'workspace', path: 'eval/importance.png', mime: 'image/png', uri: PNG },
            { revision: 'mlc:run-1', path: 'eval/importance.png', mime: 'image/png', uri: PNG },
          ],
        },
      ],
    },
  };
}

test('Plots tab: asks for plots when shown, then draws lines, a confusion heatmap with counts, bars and images', async () => {
  const page = await harness.open('metricCharts');
  assert.equal((await postedByPanel(page)).filter((message) => message.type === 'requestPlots').length, 0);
  await page.click('#tab-plots');
  const requests = (await postedByPanel(page)).filter((message) => message.type === 'requestPlots');
  assert.deepEqual(requests, [{ type: 'requestPlots', requestId: 1 }]);
  await sendToPanel(page, plotsUpdate(1));

  // The line chart: one uPlot canvas with drawn pixels, both revisions in the legend.
  await page.locator('.plot-line canvas').first().waitFor();
  const inked = await page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('.plot-line canvas')!;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let index = 3; index < data.length; index += 4) if (data[index]! > 0) count++;
    return count;
  });
  assert.ok(inked > 100, `the line chart drew pixels (${inked})`);
  assert.equal(await page.locator('.plot-line .plot-chart').getAttribute('data-points'), '7');
  const legend = await page.locator('.plot-line .u-legend').innerText();
  assert.match(legend, /workspace/);
  assert.match(legend, /mlc:run-1/);

  // The confusion matrix: a cell per (actual, predicted) with its count; the title stays text.
  const cells = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('.confusion-cell')).map((cell) => [
      cell.dataset.actual,
      cell.dataset.predicted,
      cell.textContent,
    ]),
  );
  assert.deepEqual(cells, [
    ['0', '0', '40'],
    ['0', '1', '2'],
    ['1', '0', '5'],
    ['1', '1', '53'],
  ]);
  assert.equal(await page.locator('.plot-confusion .plot-title').innerText(), 'Confusion <b>matrix</b>');
  assert.match(await page.locator('.plot-confusion .plot-missing').innerText(), /mlc:run-1: .*not in commit 1a2b3c4/);

  // Bars, a hostile category as text; images side by side, loaded under the CSP.
  assert.deepEqual(await page.locator('.bar-label').allInnerTexts(), ['7', '<img src=x>']);
  for (let attempt = 0; attempt < 100; attempt++) {
    const loaded = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLImageElement>('img.plot-img')).map((image) => image.naturalWidth),
    );
    if (loaded.length === 2 && loaded.every((width) => width === 2)) break;
    if (attempt === 99) assert.fail(`images not shown: ${JSON.stringify(loaded)}`);
    await new Promise((resume) => setTimeout(resume, 50));
  }
  assert.deepEqual(
    await page
      .locator('img.plot-img')
      .evaluateAll((images) => images.map((image) => image.closest('.plot-revision')!.getAttribute('data-revision'))),
    ['workspace', 'mlc:run-1'],
  );
  assert.equal(await page.locator('img').count(), 2, 'only the two plot images are <img> elements');
  assert.match(await page.locator('.plots-problems').innerText(), /dvc\.yaml:3:5 warning\[plotColumnMissing\]/);

  // An older answer never replaces a newer one; Refresh asks again.
  await page.getByRole('button', { name: 'Refresh' }).click();
  const again = (await postedByPanel(page)).filter((message) => message.type === 'requestPlots');
  assert.equal(again.length, 2);
  await sendToPanel(page, { ...plotsUpdate(1), snapshot: { revisions: [], plots: [], problems: [] } });
  assert.equal(await page.locator('.plot-card').count(), 4);

  // A theme change draws the charts again with the theme's new colours.
  await page.evaluate(() => {
    (document.querySelector('.plot-line canvas') as HTMLCanvasElement & { drawnBefore?: boolean }).drawnBefore = true;
    document.documentElement.style.setProperty('--vscode-foreground', 'rgb(255, 0, 0)');
  });
  for (let attempt = 0; ; attempt++) {
    const redrawn = await page.evaluate(
      () =>
        !(document.querySelector('.plot-line canvas') as (HTMLCanvasElement & { drawnBefore?: boolean }) | null)
          ?.drawnBefore,
    );
    if (redrawn) break;
    if (attempt > 100) assert.fail('the line chart was not drawn again after the theme changed');
    await new Promise((resume) => setTimeout(resume, 50));
  }

  // A panel snapshot (runs added, a run ended) reads the plots again once the last answer is in.
  await sendToPanel(page, plotsUpdate(2));
  await sendToPanel(page, { type: 'snapshotted', snapshot: { runs: [], live: [], missing: [] } });
  const afterSnapshot = (await postedByPanel(page)).filter((message) => message.type === 'requestPlots');
  assert.deepEqual(afterSnapshot.at(-1), { type: 'requestPlots', requestId: 3 });

  const violations = await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
  assert.deepEqual(violations, [], 'no CSP violation');
  const problems = (await postedByPanel(page)).filter((message) => message.type === 'reportProblem');
  assert.deepEqual(problems, [], 'the page reported no problem');
  await page.close();
});
