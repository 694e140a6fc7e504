import type { MetricSeries } from '../runs/model';
import type { SeriesBuilder } from './seriesBuilder';

/**
 * Remembers how many points of each series a tail already handed out, so each poll returns only
 * new points, or everything after a reset (a replaced file, a vanished series, fewer points).
 */
export function createSeriesTailDelivery(): {
  deliver(
    builders: ReadonlyMap<string, SeriesBuilder>,
    reset: boolean,
  ): { readonly reset: boolean; readonly series: Record<string, MetricSeries> };
} {
  let delivered = new Map<string, number>();
  let isFirst = true;
  return {
    deliver(builders, reset) {
      let isReset = reset;
      for (const [name, builder] of builders) if (builder.length < (delivered.get(name) ?? 0)) isReset = true;
      for (const name of delivered.keys()) if (!builders.has(name)) isReset = true;
      if (isReset) delivered = new Map();
      const series: Record<string, MetricSeries> = {};
      for (const [name, builder] of builders) {
        const from = delivered.get(name) ?? 0;
        if (builder.length > from || (from === 0 && (isReset || isFirst))) series[name] = builder.build(from);
        delivered.set(name, builder.length);
      }
      const wasFirst = isFirst;
      isFirst = false;
      return { reset: isReset && !wasFirst, series };
    },
  };
}
