// Markup-shaped strings for e2e specs that put user-controlled text (run names, params, tags,
// notes, metric and stage names, registry aliases) into panels, and the check that a panel showed
// each as characters: the text is there, and no element or handler was made from it.
import assert from 'node:assert/strict';

/**
 * Each payload logs `MLC-MARKUP-RAN` if it ever runs, so a console line would tell even if the DOM
 * check missed it. `slashless` ones can be file names (MLflow keeps params, tags and metrics in
 * files named after their keys), the others only file contents.
 */
export const HOSTILE = {
  img: `<img src=x onerror=console.log('MLC-MARKUP-RAN')>`,
  script: `<script>console.log('MLC-MARKUP-RAN')</script>`,
  svg: `"><svg onload=console.log('MLC-MARKUP-RAN')>`,
  javascriptUrl: `javascript:console.log('MLC-MARKUP-RAN')`,
  template: `{{constructor.constructor('console.log("MLC-MARKUP-RAN")')()}}`,
  // Right-to-left override, zero-width characters and isolates around Arabic, 300+ characters.
  rtl: `\u202Egnp.exe\u200B\u200C\u200D\u2060\uFEFF${'مرحبا بالعالم'.repeat(24)}\u2066<b>bold</b>\u2069`,
};
export const SLASHLESS = ['img', 'svg', 'template', 'rtl'];

/**
 * What the frame's document holds: the texts of `expected` found as the whole textContent of some
 * element (`exact`) or inside some element's textContent (`within`), and every element that markup
 * would have made: img/iframe/object/embed/inline script, any on* attribute, a javascript: link
 * (open shadow roots included).
 * @param {import('playwright-core').FrameLocator} frame
 */
export async function markupReport(frame, expected) {
  return frame.locator('body').evaluate(
    (body, texts) => {
      // The page's elements and those inside the open shadow roots of its web components.
      const elements = [];
      const visit = (root) => {
        for (const element of root.querySelectorAll('*')) {
          elements.push(element);
          if (element.shadowRoot) visit(element.shadowRoot);
        }
      };
      elements.push(body);
      visit(body);
      const made = [];
      for (const element of elements) {
        const tag = element.tagName.toLowerCase();
        if (['img', 'iframe', 'object', 'embed', 'frame', 'base', 'meta', 'link'].includes(tag)) made.push(tag);
        if (tag === 'script' && !element.hasAttribute('src')) made.push('inline script');
        for (const attribute of element.getAttributeNames()) {
          if (attribute.toLowerCase().startsWith('on')) made.push(`${tag}[${attribute}]`);
        }
        const link = element.getAttribute('href') ?? element.getAttribute('xlink:href') ?? '';
        if (/^\s*javascript:/i.test(link)) made.push(`${tag}[href=${link}]`);
      }
      const contents = elements.map((element) => element.textContent ?? '');
      return {
        made,
        exact: texts.filter((text) => contents.includes(text)),
        within: texts.filter((text) => contents.some((content) => content.includes(text))),
      };
    },
    [...new Set(expected)],
  );
}

/**
 * Asserts that every text in `exact` is some element's whole textContent, every text in `within`
 * is inside one, and that nothing was made from markup (see markupReport).
 */
export async function assertShownAsText(frame, { exact = [], within = [] }, panel) {
  const report = await markupReport(frame, [...exact, ...within]);
  assert.deepEqual(report.made, [], `${panel}: no element or handler made from a value`);
  for (const text of exact) assert.ok(report.exact.includes(text), `${panel} shows ${JSON.stringify(text)} as text`);
  for (const text of within) assert.ok(report.within.includes(text), `${panel} shows ${JSON.stringify(text)}`);
}

/**
 * The console lines that tell a value ran or was parsed as markup: a payload's log, a CSP refusal
 * (the workbench's own page trips its 'unsafe-eval' policy; a panel's has none, so those are the
 * others), an inline handler refused.
 */
export function markupConsoleLines(consoleLines) {
  return consoleLines.filter(
    (line) =>
      line.includes('MLC-MARKUP-RAN') ||
      line.includes('inline event handler') ||
      (/Content Security Policy|Refused to/i.test(line) && !line.includes("'unsafe-eval'")),
  );
}
