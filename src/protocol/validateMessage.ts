/**
 * Pure shape checks for messages that come from a webview. A panel's page is less trusted than
 * the host (it renders other tools' data), so the host acts only on messages that pass the
 * validator of its panel's action union and logs and drops the rest.
 */
export type MessageRecord = Readonly<Record<string, unknown>>;

/** One shape check per message type: a new action without a validator is a compile error. */
export type MessageValidators<M extends { type: string }> = {
  readonly [T in M['type']]: (message: MessageRecord) => boolean;
};

export type ParsedMessage<M> =
  { readonly ok: true; readonly message: M } | { readonly ok: false; readonly reason: string };

const MAX_TEXT = 100_000;
const MAX_ITEMS = 100_000;

export const isText = (value: unknown, maxLength = MAX_TEXT): value is string =>
  typeof value === 'string' && value.length <= maxLength;

export const isTextList = (value: unknown, maxItems = MAX_ITEMS, maxLength = MAX_TEXT): value is string[] =>
  Array.isArray(value) && value.length <= maxItems && value.every((item) => isText(item, maxLength));

export const isTextTable = (value: unknown): value is string[][] =>
  Array.isArray(value) && value.length <= MAX_ITEMS && value.every((row) => isTextList(row, 100_000, MAX_TEXT));

export const isOneOf = <T extends string>(value: unknown, allowed: readonly T[]): value is T =>
  typeof value === 'string' && (allowed as readonly string[]).includes(value);

/** Checks `value` against the validators of its `type`; unknown types and wrong shapes are refused. */
export function parseMessage<M extends { type: string }>(
  value: unknown,
  validators: MessageValidators<M>,
): ParsedMessage<M> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not an object' };
  }
  const record = value as MessageRecord;
  const type = record.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(validators, type)) {
    return { ok: false, reason: `unknown message type ${JSON.stringify(type)}` };
  }
  const validate = (validators as Readonly<Record<string, (message: MessageRecord) => boolean>>)[type]!;
  if (!validate(record)) return { ok: false, reason: `message ${type} has a wrong shape` };
  return { ok: true, message: value as M };
}
