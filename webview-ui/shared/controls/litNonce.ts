/**
 * The panels' controls come from @vscode-elements/elements (VS Code's own look in every theme,
 * keyboard and screen-reader support built in), one module per component so a bundle carries only
 * the components it uses (and Lit once). Labels are always set as text: a run's name may be one.
 *
 * Styles and the CSP: Lit puts a component's styles into its shadow root as a constructed
 * stylesheet (adoptedStyleSheets), which style-src does not govern, and vscode-elements sets
 * element styles through CSSOM, never a `style` attribute, so no 'unsafe-inline' is needed. Only
 * where a browser lacks adoptedStyleSheets does Lit write <style> elements, with `window.litNonce`
 * as their nonce: this module gives it the page's nonce (the one our script tag carries), which
 * the policy's `style-src 'nonce-…'` admits. Every control module imports this one first.
 */
// Read while the bundle runs (a classic script: currentScript is our own tag, whatever other
// scripts the webview host put in the page).
(window as unknown as { litNonce?: string }).litNonce = (document.currentScript as HTMLScriptElement | null)?.nonce;
