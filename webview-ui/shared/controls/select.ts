/** `vscode-single-select` (see litNonce.ts for why the components are split). */
import './litNonce';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';

/** A drop-down of (value, label) pairs named `label` for screen readers; option labels are text. */
export function buildSelect(
  label: string,
  options: ReadonlyArray<readonly [value: string, label: string]>,
  selected: string | undefined,
  onChange: (value: string) => void,
): VscodeSingleSelect {
  const select = document.createElement('vscode-single-select');
  select.label = label;
  for (const [value, text] of options) {
    const option = document.createElement('vscode-option');
    option.value = value;
    option.textContent = text;
    option.selected = value === selected;
    select.append(option);
  }
  select.addEventListener('change', () => onChange(select.value));
  return select;
}
