/**
 * The one way panels make DOM: children given as strings become text nodes, so a value from a
 * run (a name like `<img src=x onerror=...>`) is always shown as characters, never parsed as
 * HTML. There is deliberately no option to set innerHTML.
 */
export interface ElementOptions {
  readonly className?: string;
  readonly text?: string;
  /** Attributes (role, aria-*, title, type...); `style` is refused by the CSP, use CSSOM instead. */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly onClick?: (event: MouseEvent) => void;
}

export function buildElement<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: readonly (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  if (options.text !== undefined) element.textContent = options.text;
  for (const [name, value] of Object.entries(options.attributes ?? {})) element.setAttribute(name, value);
  const onClick = options.onClick;
  if (onClick) element.addEventListener('click', (event) => onClick(event as MouseEvent));
  for (const child of children) element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return element;
}

/** A button with a visible label (and the same accessible name). */
export function buildButton(label: string, onClick: (event: MouseEvent) => void, title?: string): HTMLButtonElement {
  return buildElement('button', {
    text: label,
    attributes: { type: 'button', ...(title ? { title } : {}) },
    onClick,
  });
}
