import type { Logger } from '../engine/ports';

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// C0 controls, DEL and C1 controls: the characters a terminal may act on instead of showing.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Text from files mlc did not write (stage names, other tools' run names, paths, messages that
 * quote them) made safe for a terminal: every control character becomes a visible escape (`\x1b`,
 * `\n`), so a cloned repository cannot set the window title, clear the screen or forge lines.
 * For human-readable output only: JSON output stays exact.
 */
export function terminalText(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (character) => NAMED_ESCAPES[character] ?? `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** A logger whose messages are escaped with terminalText before they reach stderr. */
export function terminalSafeLogger(logger: Logger): Logger {
  return {
    debug: (message, context) => logger.debug(terminalText(message), context),
    info: (message, context) => logger.info(terminalText(message), context),
    warn: (message, context) => logger.warn(terminalText(message), context),
    error: (message, context) => logger.error(terminalText(message), context),
  };
}

/**
 * The length of the longest text, for aligning columns. A loop, not `Math.max(...lengths)`:
 * spreading 100,000+ arguments overflows the stack.
 */
export function widestLength(texts: Iterable<string>): number {
  let widest = 0;
  for (const text of texts) if (text.length > widest) widest = text.length;
  return widest;
}
