/**
 * Pipeline Graph page: the stage DAG laid out here (dagre, never on the extension host; a big graph
 * in the page's layout worker, so the page stays responsive meanwhile), drawn as
 * SVG with live state colours; hover a node for its state and why it changed, click it to open
 * the stage in its file, run it (or it and everything downstream) from its buttons or context
 * menu when the workspace is trusted; pan (drag), zoom (wheel, buttons), fit, a minimap for big
 * graphs, one file or all, foreach/matrix groups collapsible. A new snapshot with the same
 * structure only recolours: the layout is kept, and so is the user's view.
 */
import './pipelineGraph.css';
import type {
  GraphNode,
  PipelineGraph,
  PipelineGraphAction,
  PipelineGraphPersistedState,
  PipelineGraphSnapshot,
  PipelineGraphUpdate,
} from '../../src/protocol/pipelineGraph';
import { buildButton, buildElement } from '../shared/buildElement';
import { startPanel } from '../shared/startPanel';
import { type GraphLayout, layoutDirection, layoutGraph, NODE_HEIGHT, NODE_WIDTH } from './layoutGraph';
import { NODE_STATE_PRESENTATION } from './nodeStates';
import { countText } from './countText';
import { graphShape, LayoutCache, restoreLayout, saveLayout, type SavedLayout } from './layoutCache';
import { createOffThreadLayout, type LayoutThread } from './offThreadLayout';
import { type VisibleGraph, type VisibleNode, visibleGraph } from './visibleGraph';

/** Above this many stages, groups start collapsed (a saved choice wins). */
const COLLAPSE_GROUPS_ABOVE = 300;
/** The minimap shows once the graph has this many nodes or does not fit the view. */
const MINIMAP_MIN_NODES = 40;
const SVG = 'http://www.w3.org/2000/svg';
/**
 * Above this many visible nodes the layout runs in the worker. Below it dagre takes tens of
 * milliseconds, less than starting a worker, and the graph is drawn in the same frame.
 */
const OFF_THREAD_LAYOUT_NODES = 150;

/** The layout worker's bundle sits beside this page's own (dist/webview/). */
const pageScript = (document.currentScript as HTMLScriptElement | null)?.src;
const offThreadLayout = createOffThreadLayout(
  pageScript ? new URL('pipelineGraphLayoutWorker.js', pageScript).href : undefined,
);
// Started before the first snapshot (the host sends it once the page says ready), so a big
// graph's layout does not wait for the worker's fetch and start-up.
offThreadLayout.start();

const app = document.getElementById('app')!;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | number>> = {},
  children: readonly (Node | string)[] = [],
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return element;
}

interface View {
  x: number;
  y: number;
  scale: number;
}

interface PageState {
  snapshot?: PipelineGraphSnapshot;
  file: string;
  collapsed: Set<string>;
  /** Whether the user (or a saved state) chose the collapsed groups; otherwise size decides. */
  collapseChosen: boolean;
  visible?: VisibleGraph;
  layout?: GraphLayout;
  /** The structure the layout was computed for: a snapshot with the same one only recolours. */
  layoutKey?: string;
  /** The structure whose layout the worker is computing (drawn when it arrives, if still wanted). */
  pendingLayoutKey?: string;
  view: View;
  /** Whether the view is the fitted one (until the user pans or zooms): resizes fit it again. */
  fitted: boolean;
  /** Nodes drawn, by id. */
  drawn: Map<string, SVGGElement>;
}

const page: PageState = {
  file: '',
  collapsed: new Set(),
  collapseChosen: false,
  view: { x: 0, y: 0, scale: 1 },
  fitted: true,
  drawn: new Map(),
};

const connection = startPanel<PipelineGraphUpdate, PipelineGraphAction>((update) => {
  switch (update.type) {
    case 'snapshotted':
      page.snapshot = update.snapshot;
      if (update.snapshot.focusFile !== undefined) {
        page.file = update.snapshot.focusFile;
        persist();
      }
      render();
      return;
  }
});

const restored = connection.savedState() as Partial<PipelineGraphPersistedState> | undefined;
if (restored && typeof restored.file === 'string' && Array.isArray(restored.collapsed)) {
  page.file = restored.file;
  page.collapsed = new Set(restored.collapsed.filter((id): id is string => typeof id === 'string'));
  page.collapseChosen = true;
}

/** Layouts of shapes seen in this page; the last one is also saved, for the panel's next opening. */
const layoutCache = new LayoutCache();
/** The saved layout of a previous page, until the first layout decides whether it fits. */
let restoredLayout: unknown = restored?.layout;
let savedLayout: SavedLayout | undefined;
let savedShape: string | undefined;

const persist = () => {
  const state: PipelineGraphPersistedState = {
    file: page.file,
    collapsed: [...page.collapsed],
    ...(savedLayout ? { layout: savedLayout } : {}),
  };
  connection.saveState(state);
};

/** A button showing a symbol, named for screen readers and tooltips. */
function iconButton(symbol: string, name: string, onClick: () => void): HTMLButtonElement {
  const button = buildButton(symbol, onClick, name);
  button.setAttribute('aria-label', name);
  return button;
}

// --- Static chrome: toolbar, viewport, tooltip, context menu, minimap ---------------------------

const fileSelect = buildElement('select', { attributes: { 'aria-label': 'Pipeline file' } });
fileSelect.addEventListener('change', () => {
  page.file = fileSelect.value;
  persist();
  render();
});
const summary = buildElement('span', { className: 'muted summary', attributes: { role: 'status' } });
const groupsButton = buildButton('Collapse groups', () => toggleAllGroups());
const legend = buildElement(
  'span',
  { className: 'legend', attributes: { 'aria-label': 'Stage states' } },
  Object.entries(NODE_STATE_PRESENTATION)
    .filter(([state]) => state !== 'unknown')
    .map(([state, presentation]) => {
      const swatch = buildElement('span', { className: 'swatch' });
      swatch.style.setProperty('--state-color', presentation.color);
      return buildElement('span', { className: 'legend-item', attributes: { 'data-state': state } }, [
        swatch,
        presentation.label,
      ]);
    }),
);
const toolbar = buildElement('div', { className: 'toolbar', attributes: { role: 'toolbar' } }, [
  fileSelect,
  buildButton('Fit', () => fitView(), 'Fit the whole graph in the view'),
  iconButton('+', 'Zoom in', () => zoomBy(1.25)),
  iconButton('−', 'Zoom out', () => zoomBy(0.8)),
  groupsButton,
  summary,
  legend,
]);

const scene = svg('g', { class: 'scene' });
const edgeLayer = svg('g', { class: 'edges' });
const nodeLayer = svg('g', { class: 'nodes' });
scene.append(edgeLayer, nodeLayer);
const canvas = svg('svg', { class: 'graph', role: 'group', 'aria-label': 'Stage graph' }, [
  svg('defs', {}, [
    svg(
      'marker',
      { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' },
      [svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' })],
    ),
  ]),
  scene,
]);
const tooltip = buildElement('div', { className: 'tooltip', attributes: { role: 'tooltip', id: 'node-tooltip' } });
tooltip.hidden = true;
const menu = buildElement('div', { className: 'context-menu', attributes: { role: 'menu' } });
menu.hidden = true;
const minimap = buildElement('canvas', { className: 'minimap', attributes: { 'aria-label': 'Overview', role: 'img' } });
const message = buildElement('p', { className: 'muted message' });
const viewport = buildElement('div', { className: 'viewport' }, [canvas, message, minimap, tooltip, menu]);
app.replaceChildren(toolbar, viewport);

// --- Rendering --------------------------------------------------------------------------------

function selectedFileIndex(graph: PipelineGraph): number | undefined {
  const index = graph.files.indexOf(page.file);
  return index === -1 ? undefined : index;
}

function render(): void {
  const snapshot = page.snapshot;
  if (!snapshot) return;
  const graph = snapshot.graph;
  document.body.classList.toggle('untrusted', !snapshot.trusted);
  if (!page.collapseChosen && graph.nodes.length > COLLAPSE_GROUPS_ABOVE) {
    page.collapsed = new Set(graph.groups.map((group) => group.id));
  }
  fileSelect.replaceChildren(
    buildElement('option', { text: `All files (${graph.files.length})`, attributes: { value: '' } }),
    ...graph.files.map((file) => buildElement('option', { text: file, attributes: { value: file } })),
  );
  if (page.file !== '' && !graph.files.includes(page.file)) page.file = '';
  fileSelect.value = page.file;
  fileSelect.hidden = graph.files.length < 2;
  groupsButton.hidden = graph.groups.length === 0;
  groupsButton.textContent = graph.groups.every((group) => page.collapsed.has(group.id))
    ? 'Expand groups'
    : 'Collapse groups';

  const visible = visibleGraph(graph, page.collapsed, selectedFileIndex(graph));
  page.visible = visible;
  const stageCount = visible.nodes.reduce(
    (count, node) => count + (node.collapsed ? node.group!.members.length : 1),
    0,
  );
  summary.textContent = `${countText(stageCount)} stage${stageCount === 1 ? '' : 's'}`;
  if (visible.nodes.length === 0) {
    message.textContent =
      'No pipeline stage found: add a stage to an mlc.yaml or dvc.yaml file (or an MLproject entry point).';
    nodeLayer.replaceChildren();
    edgeLayer.replaceChildren();
    page.layoutKey = undefined;
    page.pendingLayoutKey = undefined;
    drawMinimap();
    return;
  }
  message.textContent = '';
  const key = JSON.stringify([visible.nodes.map((node) => node.id), visible.edges]);
  if (key === page.layoutKey && page.layout) {
    page.pendingLayoutKey = undefined;
    recolour(visible);
    return;
  }
  const size = viewportSize();
  const direction = layoutDirection(visible, (size.width || 800) / (size.height || 600));
  const shape = graphShape(visible, direction);
  const restoredHere = restoreLayout(restoredLayout, shape, visible);
  if (restoredHere) {
    // Checked by restoreLayout, and in the webview's state already: kept there, not saved again.
    savedShape = shape;
    savedLayout = restoredLayout as SavedLayout;
  }
  restoredLayout = undefined;
  const kept = restoredHere ?? layoutCache.get(shape);
  if (kept) {
    page.pendingLayoutKey = undefined;
    showLayout(key, shape, kept, 'cache');
    return;
  }
  if (visible.nodes.length <= OFF_THREAD_LAYOUT_NODES) {
    page.pendingLayoutKey = undefined;
    const layout = layoutGraph(visible, direction);
    layoutCache.set(shape, layout);
    showLayout(key, shape, layout, 'page');
    return;
  }
  message.textContent = `Laying out ${countText(visible.nodes.length)} nodes…`;
  if (key === page.pendingLayoutKey) return;
  page.pendingLayoutKey = key;
  const laidOut = offThreadLayout.layout(visible, direction);
  // The worker has the request by now: the node elements are built meanwhile, on this thread.
  const built = { visible, trusted: snapshot.trusted, nodes: buildNodes(visible, snapshot.trusted) };
  void laidOut.then(({ layout, thread }) => {
    layoutCache.set(shape, layout);
    // A newer structure was asked for meanwhile: its own layout will be drawn instead.
    if (page.pendingLayoutKey !== key) return;
    page.pendingLayoutKey = undefined;
    message.textContent = '';
    showLayout(key, shape, layout, thread, built);
  });
}

/** Node elements built for a visible graph while its layout was being computed. */
interface BuiltNodes {
  readonly visible: VisibleGraph;
  readonly trusted: boolean;
  readonly nodes: Map<string, SVGGElement>;
}

/** Draws the visible graph (as it is now: states may have changed meanwhile) at `layout`. */
function showLayout(key: string, shape: string, layout: GraphLayout, thread: LayoutThread, built?: BuiltNodes): void {
  const { snapshot, visible } = page;
  if (!snapshot || !visible) return;
  // The layout shown is the one a reopened panel finds in the webview's state.
  if (savedShape !== shape) {
    savedShape = shape;
    savedLayout = saveLayout(shape, layout);
    persist();
  }
  const isFirstLayout = page.layoutKey === undefined;
  page.layoutKey = key;
  page.layout = layout;
  viewport.dataset.layoutThread = thread;
  // Elements built for another visible graph (a snapshot came meanwhile) are built again.
  const current = built?.visible === visible && built.trusted === snapshot.trusted ? built.nodes : undefined;
  draw(visible, layout, snapshot.trusted, current);
  if (isFirstLayout || page.fitted) fitView();
  else applyView();
}

function nodeTitle(node: VisibleNode): string {
  return node.collapsed ? `${node.label}@… ×${node.group!.members.length}` : node.label;
}

function fileOf(stage: GraphNode): string {
  return page.snapshot?.graph.files[stage.file] ?? '';
}

function draw(
  visible: VisibleGraph,
  layout: GraphLayout,
  trusted: boolean,
  nodes: Map<string, SVGGElement> = buildNodes(visible, trusted),
): void {
  edgeLayer.replaceChildren(
    ...layout.edges.map((edge) =>
      svg('path', {
        class: 'edge',
        'data-from': edge.from,
        'data-to': edge.to,
        d: edge.points
          .map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`)
          .join(' '),
        'marker-end': 'url(#arrow)',
      }),
    ),
  );
  for (const [id, element] of nodes) {
    const placed = layout.nodes.get(id)!;
    element.setAttribute(
      'transform',
      `translate(${(placed.x - NODE_WIDTH / 2).toFixed(1)},${(placed.y - NODE_HEIGHT / 2).toFixed(1)})`,
    );
  }
  page.drawn = nodes;
  nodeLayer.replaceChildren(...nodes.values());
}

/** The elements of the visible graph's nodes, by id, not yet placed nor in the document. */
function buildNodes(visible: VisibleGraph, trusted: boolean): Map<string, SVGGElement> {
  const built = new Map<string, SVGGElement>();
  for (const node of visible.nodes) {
    const group = svg('g', {
      class: `node${node.collapsed ? ' collapsed-group' : ''}${node.group && !node.collapsed ? ' grouped' : ''}`,
      tabindex: 0,
      role: 'button',
      'data-id': node.id,
      'aria-describedby': 'node-tooltip',
    });
    const title = nodeTitle(node);
    const label = svg('text', { class: 'label', x: 12, y: 18 }, [title.length > 24 ? `${title.slice(0, 23)}…` : title]);
    const stateText = svg('text', { class: 'state', x: 12, y: 34 });
    paintState(group, stateText, node);
    const actions: SVGElement[] = [];
    if (node.collapsed) {
      actions.push(nodeAction('expand', '⊞', `Expand ${node.label}`, NODE_WIDTH - 22));
    } else if (trusted) {
      actions.push(
        nodeAction('run', '▶', `Run ${node.id}`, NODE_WIDTH - 44),
        nodeAction('run-downstream', '»', `Run ${node.id} and everything downstream`, NODE_WIDTH - 22),
      );
    }
    group.append(
      svg('rect', { class: 'box', width: NODE_WIDTH, height: NODE_HEIGHT, rx: 4 }),
      svg('rect', { class: 'stripe', width: 5, height: NODE_HEIGHT, rx: 2 }),
      label,
      stateText,
      ...actions,
    );
    built.set(node.id, group);
  }
  return built;
}

function nodeAction(action: string, glyph: string, label: string, x: number): SVGGElement {
  return svg(
    'g',
    {
      class: 'node-action',
      'data-action': action,
      transform: `translate(${x},11)`,
      role: 'button',
      'aria-label': label,
    },
    [svg('title', {}, [label]), svg('rect', { width: 20, height: 22, rx: 3 }), svg('text', { x: 10, y: 15 }, [glyph])],
  );
}

/** States change often (every run): only classes, texts and colours are touched. */
function recolour(visible: VisibleGraph): void {
  for (const node of visible.nodes) {
    const element = page.drawn.get(node.id);
    if (element) paintState(element, element.querySelector('text.state')!, node);
  }
  drawMinimap();
}

/** A node's state on its element: colour, state line and accessible name. */
function paintState(element: SVGGElement, stateText: SVGTextElement, node: VisibleNode): void {
  const presentation = NODE_STATE_PRESENTATION[node.state];
  element.setAttribute('data-state', node.state);
  element.style.setProperty('--state-color', presentation.color);
  const count = node.collapsed ? `${node.group!.members.length} stages · ` : '';
  stateText.textContent = `${count}${presentation.label}`;
  element.setAttribute('aria-label', `${nodeTitle(node)}: ${presentation.label}`);
}

// --- View: pan, zoom, fit -----------------------------------------------------------------------

/** The viewport's size as the last resize left it (kept by the ResizeObserver below). */
let knownViewportSize: { width: number; height: number } | undefined;
/**
 * The viewport's size without a forced layout: reading `clientWidth` right after drawing a big
 * graph makes the browser lay out every new element in the middle of the handler.
 */
function viewportSize(): { width: number; height: number } {
  knownViewportSize ??= { width: viewport.clientWidth, height: viewport.clientHeight };
  return knownViewportSize;
}

function applyView(): void {
  const { x, y, scale } = page.view;
  scene.setAttribute('transform', `translate(${x.toFixed(1)},${y.toFixed(1)}) scale(${scale.toFixed(4)})`);
  drawMinimap();
}

function fitView(): void {
  const layout = page.layout;
  if (!layout) return;
  const size = viewportSize();
  const width = size.width || 800;
  const height = size.height || 600;
  // Readable first: never larger than 1:1, and not so small that a big graph becomes dots.
  const scale = Math.max(0.1, Math.min(1, width / layout.width, height / layout.height));
  page.view = { scale, x: (width - layout.width * scale) / 2, y: Math.max(0, (height - layout.height * scale) / 2) };
  page.fitted = true;
  applyView();
}

function zoomBy(factor: number, centreX = viewport.clientWidth / 2, centreY = viewport.clientHeight / 2): void {
  const view = page.view;
  const scale = Math.min(4, Math.max(0.05, view.scale * factor));
  const applied = scale / view.scale;
  page.fitted = false;
  page.view = { scale, x: centreX - (centreX - view.x) * applied, y: centreY - (centreY - view.y) * applied };
  applyView();
}

viewport.addEventListener(
  'wheel',
  (event) => {
    event.preventDefault();
    const bounds = viewport.getBoundingClientRect();
    zoomBy(Math.exp(-event.deltaY * 0.0015), event.clientX - bounds.left, event.clientY - bounds.top);
  },
  { passive: false },
);

let drag: { startX: number; startY: number; viewX: number; viewY: number; moved: boolean } | undefined;
canvas.addEventListener('pointerdown', (event) => {
  if (event.button !== 0 || (event.target as Element).closest('.node')) return;
  hideMenu();
  drag = { startX: event.clientX, startY: event.clientY, viewX: page.view.x, viewY: page.view.y, moved: false };
  canvas.setPointerCapture(event.pointerId);
  canvas.classList.add('panning');
});
canvas.addEventListener('pointermove', (event) => {
  if (!drag) return;
  drag.moved = true;
  page.fitted = false;
  page.view = {
    ...page.view,
    x: drag.viewX + event.clientX - drag.startX,
    y: drag.viewY + event.clientY - drag.startY,
  };
  applyView();
});
const endDrag = () => {
  drag = undefined;
  canvas.classList.remove('panning');
};
canvas.addEventListener('pointerup', endDrag);
canvas.addEventListener('pointercancel', endDrag);
// The panel is resized with its editor group (a terminal opening below it, a split): a graph the
// user has not moved stays fitted.
new ResizeObserver(() => {
  knownViewportSize = { width: viewport.clientWidth, height: viewport.clientHeight };
  if (page.fitted) fitView();
  else drawMinimap();
}).observe(viewport);

// --- Nodes: open, run, groups, hover, context menu ----------------------------------------------

function visibleNode(id: string | null | undefined): VisibleNode | undefined {
  return id ? page.visible?.nodes.find((node) => node.id === id) : undefined;
}

function runStage(address: string, downstream: boolean): void {
  if (!page.snapshot?.trusted) return;
  connection.post({ type: 'runStage', address, downstream });
}

function toggleGroup(groupId: string): void {
  if (page.collapsed.has(groupId)) page.collapsed.delete(groupId);
  else page.collapsed.add(groupId);
  page.collapseChosen = true;
  persist();
  render();
}

function toggleAllGroups(): void {
  const groups = page.snapshot?.graph.groups ?? [];
  const allCollapsed = groups.every((group) => page.collapsed.has(group.id));
  page.collapsed = allCollapsed ? new Set() : new Set(groups.map((group) => group.id));
  page.collapseChosen = true;
  persist();
  render();
}

function activate(node: VisibleNode): void {
  if (node.collapsed) toggleGroup(node.id);
  else connection.post({ type: 'openStage', address: node.id });
}

nodeLayer.addEventListener('click', (event) => {
  const target = event.target as Element;
  const element = target.closest<SVGGElement>('.node');
  const node = visibleNode(element?.getAttribute('data-id'));
  if (!node) return;
  const action = target.closest('.node-action')?.getAttribute('data-action');
  if (action === 'run') runStage(node.id, false);
  else if (action === 'run-downstream') runStage(node.id, true);
  else activate(node);
});
nodeLayer.addEventListener('keydown', (event) => {
  const element = (event.target as Element).closest<SVGGElement>('.node');
  const node = visibleNode(element?.getAttribute('data-id'));
  if (!node || !element) return;
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    activate(node);
  } else if (event.key === 'ContextMenu' || (event.key === 'F10' && event.shiftKey)) {
    event.preventDefault();
    const bounds = element.getBoundingClientRect();
    showMenu(node, bounds.left + 8, bounds.bottom);
  }
});

nodeLayer.addEventListener('pointerover', (event) => {
  const element = (event.target as Element).closest<SVGGElement>('.node');
  const node = visibleNode(element?.getAttribute('data-id'));
  if (node && element) showTooltip(node, element);
});
nodeLayer.addEventListener('pointerout', (event) => {
  const next = (event.relatedTarget as Element | null)?.closest('.node');
  if (next !== (event.target as Element).closest('.node')) tooltip.hidden = true;
});
nodeLayer.addEventListener('focusin', (event) => {
  const element = (event.target as Element).closest<SVGGElement>('.node');
  const node = visibleNode(element?.getAttribute('data-id'));
  if (node && element) showTooltip(node, element);
});
nodeLayer.addEventListener('focusout', () => {
  tooltip.hidden = true;
});

function showTooltip(node: VisibleNode, element: SVGGElement): void {
  const presentation = NODE_STATE_PRESENTATION[node.state];
  const lines: (Node | string)[] = [];
  if (node.collapsed) {
    lines.push(
      buildElement('strong', { text: `${node.label} (${node.group!.members.length} stages)` }),
      buildElement('div', { text: presentation.label }),
      buildElement('div', { className: 'muted', text: 'Click to expand the group.' }),
    );
  } else {
    const stage = node.stage!;
    lines.push(
      buildElement('strong', { text: stage.id }),
      buildElement('div', { className: 'muted', text: `${fileOf(stage)}:${stage.line}` }),
      buildElement('div', { className: 'tooltip-state', text: presentation.label }),
    );
    if (stage.desc) lines.push(buildElement('div', { text: stage.desc }));
    if (stage.reasons.length > 0) {
      lines.push(
        buildElement(
          'ul',
          { className: 'reasons' },
          stage.reasons.map((reason) => buildElement('li', { text: reason })),
        ),
      );
    }
  }
  tooltip.replaceChildren(...lines);
  tooltip.hidden = false;
  const bounds = element.getBoundingClientRect();
  const host = viewport.getBoundingClientRect();
  const left = Math.min(bounds.left - host.left, host.width - tooltip.offsetWidth - 8);
  const below = bounds.bottom - host.top + 6;
  const top = below + tooltip.offsetHeight > host.height ? bounds.top - host.top - tooltip.offsetHeight - 6 : below;
  tooltip.style.left = `${Math.max(4, left)}px`;
  tooltip.style.top = `${Math.max(4, top)}px`;
}

nodeLayer.addEventListener('contextmenu', (event) => {
  const element = (event.target as Element).closest<SVGGElement>('.node');
  const node = visibleNode(element?.getAttribute('data-id'));
  if (!node) return;
  event.preventDefault();
  showMenu(node, event.clientX, event.clientY);
});

function showMenu(node: VisibleNode, clientX: number, clientY: number): void {
  const item = (label: string, action: () => void) => {
    const button = buildButton(label, () => {
      hideMenu();
      action();
    });
    button.setAttribute('role', 'menuitem');
    return button;
  };
  const items: HTMLButtonElement[] = [];
  if (node.collapsed) {
    items.push(item('Expand group', () => toggleGroup(node.id)));
  } else {
    items.push(item('Open in file', () => activate(node)));
    if (page.snapshot?.trusted) {
      items.push(
        item('Run stage', () => runStage(node.id, false)),
        item('Run stage and downstream', () => runStage(node.id, true)),
      );
    }
    if (node.group) items.push(item(`Collapse group ${node.group.label}`, () => toggleGroup(node.group!.id)));
  }
  menu.replaceChildren(...items);
  menu.hidden = false;
  const host = viewport.getBoundingClientRect();
  menu.style.left = `${Math.min(clientX - host.left, host.width - menu.offsetWidth - 4)}px`;
  menu.style.top = `${Math.min(clientY - host.top, host.height - menu.offsetHeight - 4)}px`;
  items[0]?.focus();
}

function hideMenu(): void {
  menu.hidden = true;
}
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') hideMenu();
});
document.addEventListener('pointerdown', (event) => {
  if (!menu.hidden && !menu.contains(event.target as Node)) hideMenu();
});

// --- Minimap ------------------------------------------------------------------------------------

const resolvedColours = new Map<string, string>();
/** A theme variable resolved to a colour a canvas accepts. */
function canvasColour(cssColour: string): string {
  let colour = resolvedColours.get(cssColour);
  if (colour === undefined) {
    const probe = buildElement('span');
    probe.style.color = cssColour;
    document.body.append(probe);
    colour = getComputedStyle(probe).color;
    probe.remove();
    resolvedColours.set(cssColour, colour);
  }
  return colour;
}

function drawMinimap(): void {
  const layout = page.layout;
  const visible = page.visible;
  const { width, height } = viewportSize();
  const needed =
    !!layout &&
    !!visible &&
    page.layoutKey !== undefined &&
    (visible.nodes.length >= MINIMAP_MIN_NODES ||
      layout.width * page.view.scale > width ||
      layout.height * page.view.scale > height);
  minimap.hidden = !needed;
  if (!needed || !layout || !visible) return;
  const box = 180;
  const scale = Math.min(box / layout.width, box / layout.height);
  const ratio = window.devicePixelRatio || 1;
  minimap.width = Math.ceil(layout.width * scale * ratio);
  minimap.height = Math.ceil(layout.height * scale * ratio);
  minimap.style.width = `${Math.ceil(layout.width * scale)}px`;
  minimap.style.height = `${Math.ceil(layout.height * scale)}px`;
  const context = minimap.getContext('2d');
  if (!context) return;
  context.setTransform(scale * ratio, 0, 0, scale * ratio, 0, 0);
  for (const node of visible.nodes) {
    const placed = layout.nodes.get(node.id);
    if (!placed) continue;
    context.fillStyle = canvasColour(NODE_STATE_PRESENTATION[node.state].color);
    context.fillRect(placed.x - NODE_WIDTH / 2, placed.y - NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT);
  }
  const view = page.view;
  context.strokeStyle = canvasColour('var(--vscode-focusBorder, #007fd4)');
  context.lineWidth = 2 / scale;
  context.strokeRect(-view.x / view.scale, -view.y / view.scale, width / view.scale, height / view.scale);
}

/** Click or drag on the minimap: centre the view there. */
function panFromMinimap(event: PointerEvent): void {
  const layout = page.layout;
  if (!layout) return;
  const bounds = minimap.getBoundingClientRect();
  const graphX = ((event.clientX - bounds.left) / bounds.width) * layout.width;
  const graphY = ((event.clientY - bounds.top) / bounds.height) * layout.height;
  page.fitted = false;
  page.view = {
    ...page.view,
    x: viewport.clientWidth / 2 - graphX * page.view.scale,
    y: viewport.clientHeight / 2 - graphY * page.view.scale,
  };
  applyView();
}
let minimapDrag = false;
minimap.addEventListener('pointerdown', (event) => {
  minimapDrag = true;
  minimap.setPointerCapture(event.pointerId);
  panFromMinimap(event);
});
minimap.addEventListener('pointermove', (event) => {
  if (minimapDrag) panFromMinimap(event);
});
minimap.addEventListener('pointerup', () => {
  minimapDrag = false;
});
