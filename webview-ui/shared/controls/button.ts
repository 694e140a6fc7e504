/** `vscode-button`: the panels' buttons (see litNonce.ts for why the components are split). */
import './litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';

export type { VscodeButton };

export interface ButtonOptions {
  /** Tooltip. */
  readonly title?: string;
  /** The less prominent look: every button but a panel's main action is secondary. */
  readonly secondary?: boolean;
}

/** A button whose visible label (text, never HTML) is its accessible name. */
export function buildButton(
  label: string,
  onClick: (event: MouseEvent) => void,
  options: ButtonOptions = {},
): VscodeButton {
  const button = document.createElement('vscode-button');
  button.textContent = label;
  button.secondary = options.secondary ?? true;
  if (options.title) button.title = options.title;
  // vscode-button turns Enter and Space into a click; a click on a disabled one still reaches us.
  button.addEventListener('click', (event) => {
    if (!button.disabled) onClick(event);
  });
  return button;
}

/** A two-state button (quick filters, "only differences"): aria-pressed, and the primary look when on. */
export function setPressed(button: VscodeButton, pressed: boolean): void {
  // Panels call this on every render: touch the element only when the state changes, since any
  // attribute write on a custom element invalidates its styles.
  if (button.getAttribute('aria-pressed') === String(pressed)) return;
  button.setAttribute('aria-pressed', String(pressed));
  button.secondary = !pressed;
}

/** Disables or enables a button; vscode-button only drops it from the tab order, so say it to screen readers too. */
export function setDisabled(button: VscodeButton, disabled: boolean): void {
  if (button.getAttribute('aria-disabled') === String(disabled)) return;
  button.disabled = disabled;
  button.setAttribute('aria-disabled', String(disabled));
}

/** Changes a button's label (text), only when it differs: a new text node re-slots and restyles. */
export function setLabel(button: VscodeButton, label: string): void {
  if (button.textContent !== label) button.textContent = label;
}
