/**
 * The page side of the handshake every panel shares: listen for the host's updates, report CSP
 * violations and uncaught errors to the host (a test asserts there are none), then say `ready`
 * so the host answers with a full snapshot.
 */
import type { PanelCommonAction } from '../../src/protocol/panelCommon';
import { vscodeApi } from './vscodeApi';

export interface PanelConnection<Action> {
  post(action: Action | PanelCommonAction): void;
  /** The UI state saved with setState (restored after hide/show and window reloads). */
  savedState(): unknown;
  saveState(state: unknown): void;
}

export function startPanel<Update, Action>(onUpdate: (update: Update) => void): PanelConnection<Action> {
  const post = (action: Action | PanelCommonAction) => vscodeApi.postMessage(action);
  window.addEventListener('message', (event: MessageEvent<Update>) => onUpdate(event.data));
  document.addEventListener('securitypolicyviolation', (event) =>
    post({
      type: 'reportProblem',
      kind: 'cspViolation',
      message: `${event.violatedDirective} blocked ${event.blockedURI || 'an inline resource'}`,
    }),
  );
  window.addEventListener('error', (event) =>
    post({ type: 'reportProblem', kind: 'error', message: String(event.message).slice(0, 2000) }),
  );
  queueMicrotask(() => post({ type: 'ready' }));
  return {
    post,
    savedState: () => vscodeApi.getState(),
    saveState: (state) => vscodeApi.setState(state),
  };
}
