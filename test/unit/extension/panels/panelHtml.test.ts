import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildPanelHtml, contentSecurityPolicy, createNonce } from '../../../../src/extension/panels/panelHtml';

test('the CSP allows scripts only by nonce and nothing remote, inline or evaluated', () => {
  const policy = contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'abc');
  assert.equal(
    policy,
    "default-src 'none'; script-src 'nonce-abc'; style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-abc'; " +
      'img-src https://file+.vscode-resource.vscode-cdn.net data:; font-src https://file+.vscode-resource.vscode-cdn.net',
  );
  assert.doesNotMatch(policy, /unsafe-(eval|inline)|\*/);
});

test("a panel that starts a worker may fetch only the extension's files and start workers only from blob: URLs", () => {
  const source = 'https://file+.vscode-resource.vscode-cdn.net';
  const policy = contentSecurityPolicy(source, 'abc', true);
  assert.equal(policy, `${contentSecurityPolicy(source, 'abc')}; connect-src ${source}; worker-src blob:`);
  assert.doesNotMatch(policy, /unsafe-(eval|inline)|\*/);
  assert.doesNotMatch(contentSecurityPolicy(source, 'abc'), /worker-src|connect-src/, 'other panels start none');
  const html = buildPanelHtml({
    cspSource: source,
    nonce: 'n',
    scriptUri: 's',
    styleUri: 'c',
    title: 't',
    allowWorkers: true,
  });
  assert.ok(html.includes('worker-src blob:'));
});

test('the page loads one script and one stylesheet, both carrying the nonce, and escapes the title', () => {
  const html = buildPanelHtml({
    cspSource: 'vscode-resource:',
    nonce: 'n0nce',
    scriptUri: 'vscode-resource:/dist/webview/runHistory.js',
    styleUri: 'vscode-resource:/dist/webview/runHistory.css',
    title: 'Run <img src=x onerror=alert(1)>',
  });
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.match(html, /<script nonce="n0nce" src="vscode-resource:\/dist\/webview\/runHistory.js"><\/script>/);
  assert.match(html, /<link rel="stylesheet" nonce="n0nce" href="vscode-resource:\/dist\/webview\/runHistory.css">/);
  assert.match(html, /<title>Run &lt;img src=x onerror=alert\(1\)&gt;<\/title>/);
  assert.doesNotMatch(html, /<img/, 'the hostile title stays text');
});

test('nonces are 32 random bytes, base64url', () => {
  const nonce = createNonce((length) => new Uint8Array(length).fill(255));
  assert.equal(nonce, '_'.repeat(42) + '8');
});
