import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MlcExtensionApi } from '../../../src/extension/extensionApi';

const EXTENSION_ID = 'mlc-dev.mlc';

/** The extension's test-facing API, once it has activated and finished its first load. */
export async function api(): Promise<MlcExtensionApi> {
  const extension = vscode.extensions.getExtension<MlcExtensionApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded in this host`);
  const exported = await extension.activate();
  await exported.whenIdle();
  return exported;
}
