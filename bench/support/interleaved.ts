import { summarise } from './measure';

/**
 * Times `ours` and `baseline` alternately, so that the load other processes put on this shared
 * machine falls on both alike and their ratio stays meaningful.
 */
export async function interleaved(ours: () => unknown, baseline: () => unknown, rounds: number) {
  const oursMs: number[] = [];
  const baselineMs: number[] = [];
  for (let round = -1; round < rounds; round++) {
    let started = performance.now();
    await ours();
    const oursTime = performance.now() - started;
    started = performance.now();
    await baseline();
    const baselineTime = performance.now() - started;
    if (round < 0) continue; // warm-up round: JIT, page cache, sql.js initialisation
    oursMs.push(oursTime);
    baselineMs.push(baselineTime);
  }
  // Each round's own ratio, so that a burst of load on one round moves one sample, not both medians.
  const ratios = oursMs.map((ours, index) => ours / baselineMs[index]!);
  const medianRatio = summarise(ratios).medianMs; // a median of plain numbers, despite the name
  return { ours: summarise(oursMs), baseline: summarise(baselineMs), ratios, medianRatio };
}
