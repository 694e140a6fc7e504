// A log-log line chart as a standalone SVG, for the scaling curves (bench/scaling.bench.ts): no
// chart dependency, decade grid lines, one coloured line with dots per series and a legend.

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
}

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
  /** Drawn dashed (a baseline, or the linear reference). */
  readonly dashed?: boolean;
}

export interface LogLogChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
}

const WIDTH = 640;
const HEIGHT = 400;
const MARGIN = { left: 70, right: 20, top: 40, bottom: 80 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#7f7f7f'];

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** 1e3 -> "1k", 1e6 -> "1M", 0.01 -> "0.01": the tick labels. */
export function formatDecade(value: number): string {
  const units: Array<[number, string]> = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) if (value >= size) return `${value / size}${suffix}`;
  return String(Number(value.toPrecision(3)));
}

/** The whole decades spanning [min, max] (at least one decade wide). */
function decades(min: number, max: number): { low: number; high: number } {
  const low = Math.floor(Math.log10(min));
  const high = Math.max(low + 1, Math.ceil(Math.log10(max)));
  return { low, high };
}

/** Renders the chart; points with a non-positive or non-finite coordinate are left out (no log). */
export function logLogSvg(chart: LogLogChart): string {
  const usable = chart.series.map((series) => ({
    ...series,
    points: series.points.filter(
      (point) => point.x > 0 && point.y > 0 && Number.isFinite(point.x) && Number.isFinite(point.y),
    ),
  }));
  const all = usable.flatMap((series) => series.points);
  const xs =
    all.length > 0 ? decades(Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))) : decades(1, 10);
  const ys =
    all.length > 0 ? decades(Math.min(...all.map((p) => p.y)), Math.max(...all.map((p) => p.y))) : decades(1, 10);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const toX = (x: number) => MARGIN.left + ((Math.log10(x) - xs.low) / (xs.high - xs.low)) * plotWidth;
  const toY = (y: number) => MARGIN.top + plotHeight - ((Math.log10(y) - ys.low) / (ys.high - ys.low)) * plotHeight;
  const round = (value: number) => value.toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(chart.title)}</text>`,
  ];
  for (let power = xs.low; power <= xs.high; power++) {
    const x = round(toX(10 ** power));
    parts.push(
      `<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + plotHeight}" stroke="#ddd"/>`,
      `<text x="${x}" y="${MARGIN.top + plotHeight + 16}" text-anchor="middle">${formatDecade(10 ** power)}</text>`,
    );
  }
  for (let power = ys.low; power <= ys.high; power++) {
    const y = round(toY(10 ** power));
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotWidth}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatDecade(10 ** power)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top + plotHeight + 36}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  );
  usable.forEach((series, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    const coordinates = series.points.map((point) => `${round(toX(point.x))},${round(toY(point.y))}`);
    parts.push(
      `<polyline data-series="${escapeXml(series.name)}" points="${coordinates.join(' ')}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`,
      ...series.points.map(
        (point) => `<circle cx="${round(toX(point.x))}" cy="${round(toY(point.y))}" r="3" fill="${colour}"/>`,
      ),
    );
    const legendY = HEIGHT - 24 + (index >> 1) * 14 - 8;
    const legendX = MARGIN.left + (index % 2) * (plotWidth / 2);
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 24}" y2="${legendY}" stroke="${colour}" stroke-width="2"${dash}/>`,
      `<text x="${legendX + 30}" y="${legendY}" dominant-baseline="middle">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
