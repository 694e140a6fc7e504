/** `vscode-textfield` (see litNonce.ts for why the components are split). */
import './litNonce';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';

/** A one-line text field; `label` is its inner input's accessible name. */
export function buildTextField(
  label: string,
  options: { readonly placeholder?: string; readonly type?: VscodeTextfield['type'] } = {},
): VscodeTextfield {
  const field = document.createElement('vscode-textfield');
  field.label = label;
  if (options.placeholder) field.placeholder = options.placeholder;
  if (options.type) field.type = options.type;
  return field;
}

/**
 * Marks the field invalid: the error look, and aria-invalid on its inner input, where a screen
 * reader reads it (vscode-textfield's own `invalid` only changes the look).
 */
export function setInvalid(field: VscodeTextfield, invalid: boolean): void {
  if (field.invalid === invalid) return;
  field.invalid = invalid;
  void field.updateComplete.then(() =>
    field.shadowRoot?.querySelector('input')?.setAttribute('aria-invalid', String(invalid)),
  );
}
