import * as vscode from 'vscode';
import { join } from 'pathe';
import type { EngineServices } from '../engineServices';
import { completionContextAt, flattenParamKeys } from '../pipelineTextContext';
import type { WorkspaceState } from '../state/workspaceState';

const DEFAULT_PARAMS_FILE = 'params.yaml';

/** Short, one-line preview of a param value for the completion's detail. */
function preview(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return `{ ${Object.keys(value).slice(0, 5).join(', ')}${Object.keys(value).length > 5 ? ', …' : ''} }`;
  }
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The params files whose keys `${}` may use: params.yaml, the top-level `vars:` files, `params:` files. */
function templateParamsFiles(lines: readonly string[], pipelineParamsFiles: readonly string[]): string[] {
  const files = new Set<string>([DEFAULT_PARAMS_FILE, ...pipelineParamsFiles]);
  const varsStart = lines.findIndex((line) => /^vars:\s*$/.test(line));
  if (varsStart !== -1) {
    for (const line of lines.slice(varsStart + 1)) {
      if (/^\S/.test(line)) break;
      const file = /^\s*-\s+["']?([^\s"':#]+\.(?:ya?ml|json|toml|py))["']?(?::.*)?\s*$/.exec(line)?.[1];
      if (file) files.add(file);
    }
  }
  return [...files];
}

/** Completion of param keys inside `params:` lists and `${...}` templates of pipeline files. */
export class ParamCompletionProvider implements vscode.CompletionItemProvider {
  constructor(
    private readonly state: WorkspaceState,
    private readonly engine: EngineServices,
  ) {}

  async provideCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
  ): Promise<vscode.CompletionItem[]> {
    const lines = document.getText().split(/\r?\n/);
    const context = completionContextAt(lines, position.line, position.character);
    if (!context) return [];
    const file = document.uri.fsPath;
    const folder = file.slice(0, file.lastIndexOf('/'));
    const pipeline = this.state
      .views()
      .flatMap((view) => view.pipelines)
      .find((candidate) => candidate.file === file);
    const enclosingWdir = this.state
      .stagesOfFile(file)
      .filter((info) => info.entry.stage.position.line - 1 <= position.line)
      .sort((left, right) => right.entry.stage.position.line - left.entry.stage.position.line)[0]?.entry.stage.wdir;
    const files =
      context.kind === 'paramKey'
        ? [join(enclosingWdir ?? folder, context.paramsFile ?? DEFAULT_PARAMS_FILE)]
        : templateParamsFiles(lines, pipeline?.paramsFiles ?? []).map((name) => join(folder, name));
    const range = new vscode.Range(position.line, context.startColumn, position.line, position.character);
    const seen = new Set<string>();
    const items: vscode.CompletionItem[] = [];
    for (const paramsFile of files) {
      const params = await this.engine.readParams(paramsFile);
      if (!params) continue;
      for (const { key, value } of flattenParamKeys(params)) {
        if (seen.has(key)) continue;
        seen.add(key);
        const isGroup = value !== null && typeof value === 'object' && !Array.isArray(value);
        const item = new vscode.CompletionItem(
          key,
          isGroup ? vscode.CompletionItemKind.Module : vscode.CompletionItemKind.Field,
        );
        item.detail = `${preview(value)} — ${paramsFile.slice(folder.length + 1) || paramsFile}`;
        item.range = range;
        items.push(item);
      }
    }
    const hasForeach = lines.some((line) => /^\s*(foreach|matrix):/.test(line));
    if (context.kind === 'template' && hasForeach) {
      for (const name of ['item', 'key']) {
        const item = new vscode.CompletionItem(name, vscode.CompletionItemKind.Variable);
        item.detail = 'foreach/matrix variable';
        item.range = range;
        items.push(item);
      }
    }
    return items;
  }
}
