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

/**
 * Message received -> `selector` laid out, for a page that may draw it frames later (work handed
 * to a worker): checked once per frame. Resolves to `{ ms, longestTaskMs }`, the longest task the
 * page ran meanwhile (Long Tasks API: 50 ms and over; 0 when none was that long): how long the page
 * could not answer input.
 */
export const drawnScript = (selector: string): string => `new Promise((resolve) => {
  let longestTaskMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longestTaskMs = Math.max(longestTaskMs, entry.duration);
  });
  observer.observe({ type: 'longtask' });
  const start = performance.now();
  const data = JSON.parse(window.__message);
  window.dispatchEvent(new MessageEvent('message', { data }));
  const check = () => {
    const drawn = document.querySelector(${JSON.stringify(selector)});
    if (!drawn) return requestAnimationFrame(check);
    drawn.getBoundingClientRect();
    const ms = performance.now() - start;
    // Long tasks are reported after they end: one more frame lets the last one arrive.
    requestAnimationFrame(() => {
      for (const entry of observer.takeRecords()) longestTaskMs = Math.max(longestTaskMs, entry.duration);
      observer.disconnect();
      resolve({ ms, longestTaskMs });
    });
  };
  requestAnimationFrame(check);
})`;

/** The floor of any first paint: parsing the same message. */
export const PARSE_ONLY = `(() => {
  const start = performance.now();
  JSON.parse(window.__message);
  return performance.now() - start;
})()`;
