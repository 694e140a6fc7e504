/**
 * Run Details page: one run in full, drawn from each snapshot. Every value from the run is text
 * (buildElement); the page saves the run id with setState so a reloaded window restores it.
 */
import './runDetails.css';
import { formatDuration, formatMetricValue } from '../../src/protocol/formatRunValues';
import type {
  RunDetailsAction,
  RunDetailsPersistedState,
  RunDetailsSnapshot,
  RunDetailsUpdate,
} from '../../src/protocol/runDetails';
import { buildElement } from '../shared/buildElement';
import { buildButton, setDisabled } from '../shared/controls/button';
import { buildTable as table } from '../shared/buildTable';
import { startPanel } from '../shared/startPanel';
import { formatTime, runDurationMs } from '../shared/runTimes';

const app = document.getElementById('app')!;

const connection = startPanel<RunDetailsUpdate, RunDetailsAction>((update) => {
  switch (update.type) {
    case 'snapshotted': {
      const persisted: RunDetailsPersistedState = { runId: update.snapshot.runId };
      connection.saveState(persisted);
      render(update.snapshot);
      return;
    }
  }
});

const byName = <T>(record: Readonly<Record<string, T>>) =>
  Object.entries(record).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));

const section = (title: string, ...content: (Node | string)[]) =>
  buildElement('section', { attributes: { 'aria-label': title } }, [buildElement('h2', { text: title }), ...content]);

const fileLink = (label: string, path: string) =>
  buildButton(label, () => connection.post({ type: 'openFile', path }), { title: path });

function render(snapshot: RunDetailsSnapshot): void {
  const run = snapshot.run;
  if (!run) {
    app.replaceChildren(
      buildElement('section', {}, [
        buildElement('h1', { text: `Run ${snapshot.runId}` }),
        buildElement('p', { text: 'This run is no longer in the run index (deleted, or its files moved).' }),
      ]),
    );
    return;
  }
  const duration = runDurationMs(run, snapshot.now);
  const facts: Array<[string, string | Node]> = [
    ['id', run.id],
    ['source', run.source],
    ['status', buildElement('span', { className: `status-${run.status}`, text: run.status })],
  ];
  if (snapshot.reason) facts.push(['reason', buildElement('span', { className: 'error-text', text: snapshot.reason })]);
  facts.push(
    ['started', formatTime(run.startedAt) || '—'],
    ['ended', formatTime(run.endedAt) || '—'],
    ['duration', duration === null ? '—' : formatDuration(duration)],
    ['git commit', run.gitCommit ? `${run.gitCommit}${run.gitDirty ? ' (dirty: uncommitted changes)' : ''}` : '—'],
  );
  if (snapshot.targets.length > 0 || run.source === 'mlc') {
    facts.push(['command', `mlc run ${snapshot.targets.join(' ')}`.trim()]);
  }
  if (snapshot.runner) facts.push(['runner', snapshot.runner]);
  if (run.experiment) facts.push(['experiment', run.experiment]);
  if (run.annotation.starred) facts.push(['starred', '★']);
  if (run.annotation.note) facts.push(['note', run.annotation.note]);
  if (run.annotation.tags.length > 0) facts.push(['tags', run.annotation.tags.join(', ')]);
  facts.push(['location', run.location]);

  const rerun = buildButton('Rerun', () => connection.post({ type: 'rerun' }), {
    title: 'Run the same targets again with the params this run recorded',
    secondary: false,
  });
  setDisabled(rerun, run.source !== 'mlc' || !snapshot.trusted || run.status === 'running');
  if (!snapshot.trusted) rerun.title = 'Trust the workspace to run pipelines';
  const children: Node[] = [
    buildElement('section', {}, [
      buildElement('h1', { text: `Run ${run.name}` }),
      buildElement('div', { className: 'toolbar', attributes: { role: 'toolbar', 'aria-label': 'Run actions' } }, [
        rerun,
        buildButton('Compare', () => connection.post({ type: 'compare' })),
        buildButton('Show Charts', () => connection.post({ type: 'showCharts' })),
        fileLink(run.source === 'mlc' ? 'Open run folder' : `Open ${run.source} files`, run.location),
        buildButton('Reveal in OS', () => connection.post({ type: 'revealFolder', path: run.location })),
      ]),
      buildElement(
        'dl',
        { className: 'facts' },
        facts.flatMap(([label, value]) => [buildElement('dt', { text: label }), buildElement('dd', {}, [value])]),
      ),
    ]),
  ];
  const metrics = byName(run.metrics);
  children.push(
    section(
      `Metrics (${metrics.length})`,
      metrics.length === 0
        ? buildElement('p', { className: 'muted', text: 'none' })
        : table(
            ['name', 'final value'],
            metrics.map(([name, value]) => [name, value === null ? 'NaN' : formatMetricValue(value)]),
            [1],
          ),
    ),
  );
  const params = byName(run.params);
  children.push(
    section(
      `Params (${params.length})`,
      params.length === 0
        ? buildElement('p', { className: 'muted', text: 'none' })
        : table(
            ['name', 'value'],
            params.map(([name, value]) => [name, value === null ? 'null' : String(value)]),
          ),
    ),
  );
  if (snapshot.stages.length > 0) {
    // The `where` column only for a run with a stage on an ssh or slurm runner.
    const remote = snapshot.stages.some((stage) => stage.where !== null);
    children.push(
      section(
        'Stages',
        table(
          ['stage', 'status', 'duration', 'exit', ...(remote ? ['where'] : []), 'detail', 'log'],
          snapshot.stages.map((stage) => [
            stage.address,
            buildElement('span', { className: `status-${stage.status}`, text: stage.status }),
            stage.durationMs === null ? '' : formatDuration(stage.durationMs),
            stage.exitCode === null ? '' : String(stage.exitCode),
            ...(remote ? [stage.where ?? 'this machine'] : []),
            stage.detail ?? '',
            fileLink('Open log', stage.logFile),
          ]),
          [2, 3],
        ),
      ),
    );
    const artifacts = snapshot.stages.flatMap((stage) =>
      byName(stage.outs).map(([path, hash]) => [
        stage.address,
        path,
        buildElement('span', { className: 'hash', text: hash }),
      ]),
    );
    if (artifacts.length > 0)
      children.push(section('Artifacts and outputs', table(['stage', 'path', 'hash'], artifacts)));
  }
  for (const log of snapshot.logs) {
    children.push(
      section(
        `Log: ${log.file.split('/').slice(-2).join('/')}`,
        buildElement('p', { className: 'muted' }, [
          log.truncated ? 'The last lines; ' : '',
          fileLink('Open the whole file', log.file),
        ]),
        buildElement('pre', { text: log.lines.join('\n'), attributes: { tabindex: '0' } }),
      ),
    );
  }
  const tags = byName(run.tags);
  if (tags.length > 0) children.push(section(`${run.source} tags`, table(['name', 'value'], tags)));
  if (snapshot.problems.length > 0) {
    children.push(
      section(
        'Problems reading this run',
        buildElement(
          'ul',
          {},
          snapshot.problems.map((problem) =>
            buildElement('li', {
              text: `${problem.file}:${problem.line}:${problem.column} ${problem.severity} ${problem.code}: ${problem.message}`,
            }),
          ),
        ),
      ),
    );
  }
  app.replaceChildren(...children);
}
