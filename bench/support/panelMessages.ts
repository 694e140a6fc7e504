import type { Page } from 'playwright-core';

/**
 * Timing a panel's handling of a host message in headless Chromium (see test/support/panelPage.ts):
 * the message text is put into the page first (`loadMessage`), so Playwright's own argument
 * transfer is not timed, then evaluated scripts time the page. Scripts are strings: tsx would wrap
 * a function's inner helpers in a `__name` the page lacks.
 */
export async function loadMessage(page: Page, message: string): Promise<void> {
  await page.evaluate((text) => {
    (window as unknown as { __message: string }).__message = text;
  }, message);
}

/**
 * Message received -> `selector` laid out: JSON.parse of the message (VS Code delivers webview
 * messages as JSON), the page's handler, then a forced layout in the next frame. Resolves to ms.
 */
export const firstPaintScript = (selector: string): string => `new Promise((resolve) => {
  const start = performance.now();
  const data = JSON.parse(window.__message);
  window.dispatchEvent(new MessageEvent('message', { data }));
  requestAnimationFrame(() => {
    document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
    resolve(performance.now() - start);
  });
})`;

/** The floor of any first paint: parsing the same message. */
export const PARSE_ONLY = `(() => {
  const start = performance.now();
  JSON.parse(window.__message);
  return performance.now() - start;
})()`;
