import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildPanelHtml } from '../../src/extension/panels/panelHtml';

const repoRoot = resolve(__dirname, '../..');
export const PANELS = ['runHistory', 'runDetails', 'compare', 'deploy', 'pipelineGraph', 'metricCharts'] as const;
export type PanelName = (typeof PANELS)[number];
/** Workers a page starts from a bundle of its own (`webview-ui/<panel>/<name>Worker.ts`), by panel. */
const PANEL_WORKERS: Partial<Record<PanelName, string>> = { pipelineGraph: 'pipelineGraphLayoutWorker' };

/**
 * The panel bundles as the production build makes them (minified, one .js and one .css per
 * `webview-ui/<panel>/main.ts`), served from a loopback HTTP server and opened in headless
 * Chromium under the extension's own CSP (`buildPanelHtml`). `acquireVsCodeApi` is stubbed before
 * the page's script runs: what the page posts lands in `window.__posted`, setState in
 * `window.__state`. Used by the bundle tests and the panel benchmarks.
 */
export interface PanelHarness {
  readonly browser: Browser;
  readonly folder: string;
  /** Minified bytes of each bundle. */
  readonly sizes: Readonly<Record<PanelName, number>>;
  open(
    panel: PanelName,
    options?: {
      savedState?: unknown;
      viewport?: { width: number; height: number };
      /** Script run before the page's own (to take a browser feature away, say). */
      initScript?: string;
    },
  ): Promise<Page>;
  close(): Promise<void>;
}

export async function startPanelHarness(): Promise<PanelHarness> {
  const folder = mkdtempSync(join(tmpdir(), 'mlc-panels-'));
  await build({
    entryPoints: [
      ...PANELS.map((panel) => ({ in: join(repoRoot, 'webview-ui', panel, 'main.ts'), out: panel })),
      ...Object.entries(PANEL_WORKERS).map(([panel, worker]) => ({
        in: join(repoRoot, 'webview-ui', panel, `${worker}.ts`),
        out: worker,
      })),
    ],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    outdir: folder,
    loader: { '.css': 'css' },
    logLevel: 'warning',
  });
  const sizes = Object.fromEntries(
    PANELS.map((panel) => [panel, readFileSync(join(folder, `${panel}.js`)).length]),
  ) as Record<PanelName, number>;
  const server: Server = createServer((request, response) => {
    const name = (request.url ?? '/').slice(1).split('?')[0]!;
    const match = /^(\w+)\.(html|js|css)$/.exec(name);
    const served = [...PANELS, ...Object.values(PANEL_WORKERS)] as readonly string[];
    if (!match || !served.includes(match[1]!)) {
      response.writeHead(404).end();
      return;
    }
    const [, panel, extension] = match;
    if (extension === 'html') {
      const origin = `http://${request.headers.host}`;
      response.writeHead(200, { 'content-type': 'text/html' }).end(
        buildPanelHtml({
          cspSource: origin,
          nonce: 'dGVzdC1ub25jZQ',
          scriptUri: `${origin}/${panel}.js`,
          styleUri: `${origin}/${panel}.css`,
          title: panel!,
          allowWorkers: PANEL_WORKERS[panel as PanelName] !== undefined,
        }),
      );
      return;
    }
    response
      .writeHead(200, { 'content-type': extension === 'js' ? 'text/javascript' : 'text/css' })
      .end(readFileSync(join(folder, name)));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const port = (server.address() as AddressInfo).port;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  return {
    browser,
    folder,
    sizes,
    async open(panel, options = {}) {
      const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } });
      // A string, not a function: tsx would wrap a function's inner helpers in a `__name` the page lacks.
      await page.addInitScript(`
        window.__posted = [];
        window.__state = ${JSON.stringify(options.savedState ?? null)} ?? undefined;
        window.__violations = [];
        document.addEventListener('securitypolicyviolation', (event) =>
          window.__violations.push(event.violatedDirective + ' ' + event.blockedURI));
        window.acquireVsCodeApi = () => ({
          postMessage: (message) => window.__posted.push(message),
          getState: () => window.__state,
          setState: (state) => { window.__state = state; },
        });
        ${options.initScript ?? ''}
      `);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`http://127.0.0.1:${port}/${panel}.html`);
      // Polled with evaluate: waitForFunction compiles its predicate in the page, which the CSP forbids.
      for (let attempt = 0; ; attempt++) {
        const posted = await postedByPanel(page);
        if (posted.some((message) => message.type === 'ready')) break;
        if (attempt > 200) throw new Error(`the ${panel} page never said ready: ${errors.join('; ')}`);
        await new Promise((resume) => setTimeout(resume, 50));
      }
      return page;
    },
    async close() {
      await browser.close();
      await new Promise<void>((done) => server.close(() => done()));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Sends a host -> panel message the way VS Code delivers it (a window `message` event). */
export async function sendToPanel(page: Page, message: unknown): Promise<void> {
  await page.evaluate((data) => window.dispatchEvent(new MessageEvent('message', { data })), message as object);
}

/** What the page has posted to the host so far. */
export async function postedByPanel(page: Page): Promise<Array<Record<string, unknown> & { type: string }>> {
  return page.evaluate(
    () => (window as unknown as { __posted: Array<Record<string, unknown> & { type: string }> }).__posted,
  );
}
