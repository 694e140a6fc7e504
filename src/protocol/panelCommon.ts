/**
 * Messages every panel exchanges with its host, whatever its own protocol: the `ready` handshake
 * (the host answers with a full snapshot) and problems the page reports, such as a
 * `securitypolicyviolation` (tests assert there are none) or an uncaught error.
 */
import { isOneOf, isText, type MessageRecord } from './validateMessage';

export type PanelProblemKind = 'cspViolation' | 'error';

export type PanelCommonAction =
  | { readonly type: 'ready' }
  | { readonly type: 'reportProblem'; readonly kind: PanelProblemKind; readonly message: string };

export const panelCommonValidators = {
  ready: () => true,
  reportProblem: (message: MessageRecord) =>
    isOneOf(message.kind, ['cspViolation', 'error'] as const) && isText(message.message, 10_000),
} as const;
