/**
 * The few web-standard globals the engine uses, declared by hand because the engine's lib is plain
 * ES2023 (no DOM: `fetch`, `window` or `document` must not type-check in the pure layer). Node and
 * browsers both provide these; only the members the engine calls are listed. Timers are not here:
 * they come through the `Timers` port (ports.ts) so tests can run the engine on fake time.
 */

interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  throwIfAborted(): void;
  addEventListener(type: 'abort', listener: () => void, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

declare class AbortController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
}

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}

declare class TextDecoder {
  constructor(label?: string, options?: { readonly fatal?: boolean; readonly ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { readonly stream?: boolean }): string;
}
