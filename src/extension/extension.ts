import type * as vscode from 'vscode';

/** Composition root of the extension: wiring only (see ARCHITECTURE.md). */
export function activate(_context: vscode.ExtensionContext): void {}

export function deactivate(): void {}
