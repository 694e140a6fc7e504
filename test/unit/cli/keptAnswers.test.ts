import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import type { CliContext } from '../../../src/cli/cliContext';
import { noteOutput, RUN_OPTIONS, runAnswerKey, STATUS_OPTIONS, statusAnswerKey } from '../../../src/cli/keptAnswers';
import { parseCommandArgs } from '../../../src/cli/argv';
import { nodeFileSystem } from '../../../src/node/nodeFileSystem';

function recordingContext() {
  const lines: string[] = [];
  const context: CliContext = {
    cwd: '/w',
    fs: nodeFileSystem,
    print: (text) => lines.push(`out: ${text}`),
    printDiagnostic: (text) => lines.push(`err: ${text}`),
    logger: {
      debug: (message) => lines.push(`debug: ${message}`),
      info: (message) => lines.push(`info: ${message}`),
      warn: (message) => lines.push(`warn: ${message}`),
      error: (message) => lines.push(`error: ${message}`),
    },
    signal: new AbortController().signal,
  };
  return { context, lines };
}

suite('noteOutput', () => {
  test('notes stdout, passes everything on, and tells whether anything was said on stderr', () => {
    const { context, lines } = recordingContext();
    const noted = noteOutput(context);
    noted.context.print('one');
    noted.context.logger.debug('looked');
    noted.context.logger.info('found');
    noted.context.print('two');
    assert.equal(noted.stdout(), 'one\ntwo');
    assert.equal(noted.saidMore(), false);
    assert.deepEqual(lines, ['out: one', 'debug: looked', 'info: found', 'out: two']);
  });

  test('a warning, an error or a diagnostic each count as more than the answer', () => {
    const said: Array<(context: CliContext) => void> = [
      (context) => context.logger.warn('cannot read data/a.csv'),
      (context) => context.logger.error('cannot read data/a.csv'),
      (context) => context.printDiagnostic('mlc status: something'),
    ];
    for (const say of said) {
      const { context, lines } = recordingContext();
      const noted = noteOutput(context);
      say(noted.context);
      assert.equal(noted.saidMore(), true);
      assert.equal(lines.length, 1);
    }
  });
});

suite('kept answer keys', () => {
  const status = (args: string[]) => statusAnswerKey(parseCommandArgs(args, STATUS_OPTIONS), '/w', '/w/sub');
  const run = (args: string[]) => runAnswerKey(parseCommandArgs(args, RUN_OPTIONS), '/w', '/w/sub');

  test('status: the output form, --check and the targets are the question; --watch is never kept', () => {
    const keys = [
      status([]),
      status(['--json']),
      status(['--check']),
      status(['--json', '--check']),
      status(['train']),
    ];
    assert.equal(new Set(keys).size, keys.length);
    assert.equal(status(['--verbose']), status([]));
    assert.equal(status(['--watch']), undefined);
    assert.notEqual(statusAnswerKey(parseCommandArgs([], STATUS_OPTIONS), '/w', '/w'), status([]));
  });

  test('run: -j is not the question; --force and --dry-run are never kept', () => {
    assert.equal(run(['-j', '1']), run([]));
    assert.notEqual(run(['--json']), run([]));
    assert.equal(run(['--force']), undefined);
    assert.equal(run(['--dry-run']), undefined);
  });

  test('MLC_KEPT_ANSWERS=0 turns both off', () => {
    process.env.MLC_KEPT_ANSWERS = '0';
    try {
      assert.equal(status([]), undefined);
      assert.equal(run([]), undefined);
    } finally {
      delete process.env.MLC_KEPT_ANSWERS;
    }
  });
});
