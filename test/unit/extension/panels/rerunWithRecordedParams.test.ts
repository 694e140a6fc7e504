import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParamsRestorePlan } from '../../../../src/engine/params/planParamsRestore';
import { rerunWithRecordedParams } from '../../../../src/extension/panels/rerunWithRecordedParams';

const PLAN: ParamsRestorePlan = {
  edits: [
    {
      file: '/ws/params.yaml',
      before: 'lr: 0.5\n',
      after: 'lr: 0.01\n',
      changes: [{ key: 'lr', current: 0.5, recorded: 0.01 }],
    },
  ],
  notRestorable: [{ key: 'decay', reason: '/ws/tune.py is Python code, which mlc does not rewrite' }],
};

function fakeSteps(answer: boolean) {
  const events: string[] = [];
  let shown = '';
  return {
    events,
    shown: () => shown,
    steps: {
      confirm: async (message: string, detail: string) => {
        shown = `${message}\n${detail}`;
        events.push('confirm');
        return answer;
      },
      writeFile: (file: string, text: string) => void events.push(`write ${file} ${JSON.stringify(text)}`),
      rerun: async () => void events.push('rerun'),
      displayPath: (file: string) => file.replace('/ws/', ''),
    },
  };
}

test('the user sees every change, then the recorded params are written before the rerun', async () => {
  const fake = fakeSteps(true);
  assert.equal(await rerunWithRecordedParams(PLAN, fake.steps), 'ran');
  assert.deepEqual(fake.events, ['confirm', 'write /ws/params.yaml "lr: 0.01\\n"', 'rerun']);
  assert.match(fake.shown(), /params\.yaml:\n {2}lr: 0\.5 -> 0\.01/);
  assert.match(fake.shown(), /Not restored[^\n]*\n {2}decay: \/ws\/tune\.py is Python code/);
});

test('declining writes nothing and runs nothing', async () => {
  const fake = fakeSteps(false);
  assert.equal(await rerunWithRecordedParams(PLAN, fake.steps), 'declined');
  assert.deepEqual(fake.events, ['confirm']);
});

test('params files that already hold the recorded values rerun without asking', async () => {
  const fake = fakeSteps(false);
  assert.equal(await rerunWithRecordedParams({ edits: [], notRestorable: [] }, fake.steps), 'ranUnchanged');
  assert.deepEqual(fake.events, ['rerun']);
});
