/**
 * The HTML of every panel. Pure (no `vscode`), so the Content-Security-Policy is unit-tested:
 * scripts only by nonce from the extension's own bundle, styles from the extension's files (and
 * the nonce, for the style elements our controls insert), images from the extension or data:,
 * workers (for a panel that asks) only from blob: URLs of bytes fetched from the extension's files,
 * nothing remote, no eval, no inline handlers.
 */
export interface PanelHtmlOptions {
  /** `webview.cspSource`: the origin of the extension's files inside the webview. */
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly title: string;
  /**
   * The page starts a worker of its own: it fetches the worker's bundle from the extension's files
   * (`connect-src`, that origin only) and starts it from a blob: URL of those bytes (`worker-src
   * blob:`), because a browser refuses a worker script from another origin, which the extension's
   * files are in VS Code (see webview-ui/pipelineGraph/offThreadLayout.ts).
   */
  readonly allowWorkers?: boolean;
}

export function contentSecurityPolicy(cspSource: string, nonce: string, allowWorkers = false): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    ...(allowWorkers ? [`connect-src ${cspSource}`, 'worker-src blob:'] : []),
  ].join('; ');
}

const escapeAttribute = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function buildPanelHtml(options: PanelHtmlOptions): string {
  const nonce = escapeAttribute(options.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(options.cspSource, options.nonce, options.allowWorkers))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" nonce="${nonce}" href="${escapeAttribute(options.styleUri)}">
<title>${escapeAttribute(options.title)}</title>
</head>
<body>
<main id="app" aria-label="${escapeAttribute(options.title)}"></main>
<script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>
`;
}

/** 32 random bytes as base64url: a fresh nonce for each page load. */
export function createNonce(randomBytes: (length: number) => Uint8Array): string {
  return Buffer.from(randomBytes(32)).toString('base64url');
}
