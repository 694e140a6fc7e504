// The figures of a test step's output, and the closing line `npm test` prints over all steps.

/** node --test's TAP summary (`# pass N`, `# fail N`, `# skipped N`). */
export const nodeTestCount = (output) => ({
  passed: Number(/^# pass (\d+)/m.exec(output)?.[1] ?? 0),
  failed: Number(/^# fail (\d+)/m.exec(output)?.[1] ?? 0),
  skipped: Number(/^# skipped (\d+)/m.exec(output)?.[1] ?? 0),
});
/** A closing line of our own runners: `[name: ]N passed, N failed[, N skipped]`, the last one. */
export const plainCount = (output) => {
  const match = [...output.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/gm)].at(-1);
  return { passed: Number(match?.[1] ?? 0), failed: Number(match?.[2] ?? 0), skipped: Number(match?.[3] ?? 0) };
};

/** `all: N passed, N failed, N skipped`: what `npm test` ends with (plainCount reads it back). */
export const summaryLine = (name, { passed, failed, skipped }) =>
  `${name}: ${passed} passed, ${failed} failed, ${skipped} skipped`;
