/**
 * Durations in mlc.yaml (`timeout: 2h`, `stalled: 10m`): a number of seconds, or one or more
 * `<number><unit>` parts with units ms, s, m, h, d (`90s`, `1h30m`, `1.5h`). Returns milliseconds,
 * or undefined when the text is not a duration.
 */
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const durationPattern = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d)\s*)+$/;
const partPattern = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value === 'object' && value !== null && 'pythonFloat' in value) return parseDuration(value.pythonFloat);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!durationPattern.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(partPattern)) total += Number(amount) * unitMs[unit!]!;
  return Math.round(total);
}
