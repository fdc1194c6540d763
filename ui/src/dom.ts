// The few DOM helpers every page of the window uses.

export const $ = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
};

export const input = (id: string): HTMLInputElement => $<HTMLInputElement>(id);

/// A button with its text and, when the text alone is ambiguous, an accessible name.
export function button(text: string, onClick: () => void, label?: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  if (label) b.setAttribute("aria-label", label);
  b.addEventListener("click", onClick);
  return b;
}

/// Shows (or, with null, hides) a page's status line `id`, red when something failed.
export function say(id: string, text: string | null, failed = false): void {
  const p = $(id);
  p.hidden = text === null;
  p.textContent = text ?? "";
  p.classList.toggle("failed", failed);
}
