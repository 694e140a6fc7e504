/** `vscode-checkbox` (see litNonce.ts for why the components are split). */
import './litNonce';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';

/** A checkbox whose label (text) is its accessible name. */
export function buildCheckbox(label: string, checked: boolean, onChange: (checked: boolean) => void): VscodeCheckbox {
  const box = document.createElement('vscode-checkbox');
  box.textContent = label;
  box.checked = checked;
  box.addEventListener('change', () => onChange(box.checked));
  return box;
}
