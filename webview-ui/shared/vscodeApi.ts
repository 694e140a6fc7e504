/**
 * The only file that calls acquireVsCodeApi(): VS Code allows one call per page. Panels persist
 * only UI state (column widths, selected tab) through getState/setState.
 */
interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscodeApi: VsCodeApi = acquireVsCodeApi();
