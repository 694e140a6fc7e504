import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StageInfo } from '../../../../src/extension/state/workspaceState';
import { stageTooltipMarkdown } from '../../../../src/extension/views/stageTooltipMarkdown';

/** A stage as a hostile repository could name and describe it (only @ : / \ are refused in names). */
const hostileStage = (
  overrides: Partial<StageInfo> = {},
): Pick<StageInfo, 'entry' | 'state' | 'reasons' | 'lastRun'> => ({
  entry: {
    address: '<img src=x onerror=alert(1)>',
    stage: { name: '<img src=x onerror=alert(1)>', desc: '"><svg onload=alert(2)>' },
  } as unknown as StageInfo['entry'],
  state: 'changed',
  reasons: ['changed deps: data/<script>alert(3)</script>.csv modified'],
  lastRun: {
    runId: '20261203-120000-train',
    status: 'succeeded',
    durationMs: 1200,
    metrics: { '<b>acc</b>': 0.9 },
    where: '<i>gpu-host</i>',
  } as unknown as StageInfo['lastRun'],
  ...overrides,
});

test('a stage tooltip keeps markup in the name, description, reasons, metrics and host as text', () => {
  const markdown = stageTooltipMarkdown(hostileStage());
  // No raw angle bracket: VS Code's plain-text form of a tooltip drops backslash escapes and parses
  // what is left through an element, so only entities keep a tag from being made.
  assert.doesNotMatch(markdown, /[<>]/);
  assert.match(markdown, /^\*\*&lt;img src=x onerror=alert\\\(1\\\)&gt;\*\* — \$\(diff-modified\) changed/);
  assert.ok(markdown.includes('"&gt;&lt;svg onload=alert\\(2\\)&gt;'), markdown);
  assert.ok(markdown.includes('&lt;script&gt;alert\\(3\\)&lt;/script&gt;'), markdown);
  assert.ok(markdown.includes('on &lt;i&gt;gpu\\-host&lt;/i&gt;'), markdown);
});

test('a plain stage tooltip reads as before', () => {
  const markdown = stageTooltipMarkdown(
    hostileStage({
      entry: { address: 'train', stage: { name: 'train' } } as unknown as StageInfo['entry'],
      reasons: ['params changed: train.epochs'],
      lastRun: undefined,
    }),
  );
  assert.equal(markdown, '**train** — $(diff-modified) changed\n\n- params changed: train\\.epochs\n');
});
