/**
 * The Plots tab's behaviour inside a panel: asks the host for plots when shown or refreshed
 * (numbered requests, so a slow older answer never replaces a newer one) and renders them.
 * The panel gives it the element and forwards `plotsLoaded` updates.
 */
import type { PlotsAction, PlotsUpdate } from '../../src/protocol/plots';
import { buildButton, buildElement } from '../shared/buildElement';
import { type RenderedPlots, renderPlots } from './renderPlots';

export interface PlotsTab {
  /** Call when the tab becomes visible: the first time (and on refresh) it asks for plots. */
  show(): void;
  /** Asks again when plots were shown before and no request is pending (runs changed or ended). */
  refresh(): void;
  receive(update: PlotsUpdate): void;
}

export function mountPlotsTab(root: HTMLElement, post: (action: PlotsAction) => void): PlotsTab {
  let requestId = 0;
  let answeredId = -1;
  let rendered: RenderedPlots | undefined;
  const status = buildElement('span', { className: 'plots-status', text: '' });
  const problems = buildElement('ul', { className: 'plots-problems' });
  const content = buildElement('div', { className: 'plots-content' });
  const request = () => {
    requestId += 1;
    status.textContent = 'Loading plots…';
    post({ type: 'requestPlots', requestId });
  };
  root.replaceChildren(
    buildElement('div', { className: 'plots-toolbar' }, [
      buildButton('Refresh', request, 'Read the plot files again'),
      status,
    ]),
    problems,
    content,
  );
  let shown: PlotsUpdate['snapshot'] | undefined;
  const draw = () => {
    if (!shown) return;
    rendered?.dispose();
    rendered = renderPlots(content, shown.plots, shown.revisions);
  };
  // Chart colours are read from the theme when drawn: a theme change (VS Code sets its variables
  // on <html> and its kind on <body>) draws the plots again, once per animation frame at most.
  let redrawQueued = false;
  const redrawForTheme = () => {
    if (redrawQueued) return;
    redrawQueued = true;
    requestAnimationFrame(() => {
      redrawQueued = false;
      draw();
    });
  };
  new MutationObserver(redrawForTheme).observe(document.documentElement, {
    attributes: true,
    attributeFilter: ['style', 'class'],
  });
  new MutationObserver(redrawForTheme).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  return {
    show() {
      if (requestId === 0) request();
    },
    refresh() {
      if (requestId > 0 && answeredId === requestId) request();
    },
    receive(update) {
      if (update.requestId < requestId || update.requestId <= answeredId) return;
      answeredId = update.requestId;
      const { snapshot } = update;
      status.textContent = `${snapshot.plots.length} plot${snapshot.plots.length === 1 ? '' : 's'} · ${snapshot.revisions.join(', ')}`;
      problems.replaceChildren(
        ...snapshot.problems.map((problem) =>
          buildElement('li', {
            text: `${problem.file}:${problem.line}:${problem.column} ${problem.severity}[${problem.code}]: ${problem.message}`,
          }),
        ),
      );
      shown = snapshot;
      draw();
    },
  };
}
