/**
 * Exhaustive handler maps for host <-> webview messages: a new message type without a handler is a
 * compile error. Each panel's protocol file defines `XxxUpdate` (host -> panel, past-tense facts)
 * and `XxxAction` (panel -> host, imperatives) as unions of `{ type: ... }` objects.
 */
export type MessageHandlers<M extends { type: string }> = {
  readonly [T in M['type']]: (message: Extract<M, { type: T }>) => void | Promise<void>;
};
