// The Pipeline Graph panel in headless Chromium, on the real minified bundle under the extension's
// CSP (issue 12): a 200-stage graph laid out and drawn (snapshot message -> dagre layout -> SVG in
// the DOM, laid out in the next frame; target <= 300 ms), the same for 1,000 stages ("usable": no
// target, reported), a recolour of the 1,000-stage graph (a state change: no new layout), and the
// bundle's size against the panel budget (~150 kB). Baseline: JSON.parse of the same message, the
// floor of receiving it. The layout library comparison is graphLayout.bench.ts.
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startPanelHarness } from '../test/support/panelPage';
import { generatePipelineGraph } from '../test/support/pipelineGraphFixtures';
import { summarise } from './support/measure';
import { firstPaintScript, loadMessage, PARSE_ONLY } from './support/panelMessages';
import { runBench } from './support/runBench';

/** Message received -> nodes drawn and laid out by the browser (the frame after the handler). */
const FIRST_DRAW = firstPaintScript('.node');

const message = (stages: number, revision: number, states?: 'flipped') => {
  const graph = generatePipelineGraph(stages);
  const nodes =
    states === 'flipped'
      ? graph.nodes.map((node) => ({ ...node, state: node.state === 'up-to-date' ? ('changed' as const) : node.state }))
      : graph.nodes;
  return JSON.stringify({ type: 'snapshotted', snapshot: { revision, graph: { ...graph, nodes }, trusted: true } });
};

void runBench('pipelineGraph', async ({ report, log }) => {
  const harness = await startPanelHarness();
  try {
    for (const [stages, loads, target] of [
      [200, 5, 300],
      [1000, 2, undefined],
    ] as const) {
      log(`${stages} stages laid out and drawn, ${loads} page loads`);
      const draws: number[] = [];
      const parses: number[] = [];
      let page: Page | undefined;
      for (let attempt = 0; attempt < loads; attempt++) {
        await page?.close();
        page = await harness.open('pipelineGraph', { viewport: { width: 1600, height: 900 } });
        await loadMessage(page, message(stages, 1));
        parses.push((await page.evaluate(PARSE_ONLY)) as number);
        draws.push((await page.evaluate(FIRST_DRAW)) as number);
      }
      const draw = summarise(draws);
      report({
        name: `Pipeline Graph: ${stages} stages laid out and drawn`,
        value: draw.medianMs,
        unit: 'ms',
        baseline: { name: 'JSON.parse of the message alone', value: summarise(parses).medianMs },
        ...(target === undefined ? {} : { target: { value: target, comparison: '<=' as const } }),
        // Shared machines: the load says how far a figure is from an idle core's.
        note: `max ${draw.maxMs.toFixed(0)} ms over ${loads} loads; groups ${stages > 300 ? 'collapsed' : 'expanded'}; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
      });
      if (stages === 1000 && page) {
        log('recolouring 1,000 stages (same structure, new states)');
        await loadMessage(page, message(stages, 2, 'flipped'));
        const recolour = (await page.evaluate(FIRST_DRAW)) as number;
        report({
          name: 'Pipeline Graph: 1,000 stages recoloured (state change, no layout)',
          value: recolour,
          unit: 'ms',
        });
      }
      await page?.close();
    }
    const bytes = readFileSync(join(harness.folder, 'pipelineGraph.js'));
    report({
      name: 'pipelineGraph.js (minified)',
      value: bytes.length / 1000,
      unit: 'kB',
      target: { value: 150, comparison: '<=' },
      note: `gzip ${(gzipSync(bytes).length / 1000).toFixed(1)} kB`,
    });
  } finally {
    await harness.close();
  }
});
