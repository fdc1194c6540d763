// Recording a global shortcut by pressing it (e.g. Ctrl+Alt+1), for presets and for Clear
// status. The app's own shortcuts let go of the keys meanwhile, so pressing one that is
// taken reaches the field (and is then reported) instead of setting a preset.
import { commands } from "./bindings";

const MODIFIERS: [keyof KeyboardEvent, string][] = [["ctrlKey", "Ctrl"], ["altKey", "Alt"], ["shiftKey", "Shift"], ["metaKey", "Super"]];

function keyName(event: KeyboardEvent): string | null {
  const code = event.code;
  if (/^Key[A-Z]$/.test(code)) return code.slice(3);
  if (/^Digit[0-9]$/.test(code)) return code.slice(5);
  if (/^F([1-9]|1[0-9]|2[0-4])$/.test(code)) return code;
  if (["Space", "Enter", "Tab", "Home", "End", "PageUp", "PageDown", "Insert", "Delete"].includes(code)) return code;
  if (code.startsWith("Arrow")) return code;
  return null;
}

/// Records into `field` while `button` says so; Escape or leaving the field cancels.
export async function recordShortcut(
  field: HTMLInputElement,
  button: HTMLElement,
  problem: (message: string | null) => void,
  done: (shortcut: string) => void,
): Promise<void> {
  await commands.pauseHotkeys();
  const before = field.value;
  button.textContent = "Press keys…";
  field.value = "";
  field.placeholder = "press the keys, Escape to cancel";
  field.focus();
  const stop = (shortcut: string | null) => {
    field.removeEventListener("keydown", onKey);
    field.removeEventListener("blur", cancel);
    void commands.resumeHotkeys();
    button.textContent = "Record";
    field.placeholder = "none";
    if (shortcut) {
      field.value = shortcut;
      problem(null);
      done(shortcut);
    } else {
      field.value = before;
    }
  };
  const onKey = (event: KeyboardEvent) => {
    event.preventDefault();
    if (event.key === "Escape") return stop(null);
    const key = keyName(event);
    if (!key) return;
    const modifiers = MODIFIERS.filter(([flag]) => event[flag]).map(([, name]) => name);
    if (modifiers.length === 0) {
      problem("Use at least one of Ctrl, Alt, Shift or Super with the key.");
      return;
    }
    stop([...modifiers, key].join("+"));
  };
  const cancel = () => stop(null);
  field.addEventListener("keydown", onKey);
  field.addEventListener("blur", cancel);
}
