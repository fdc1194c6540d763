// The General page: start at login (asked once, on the first run), notifications, and what
// happens when a timed status ends. Each change is saved at once.
import { commands, type Overview_Serialize as Overview, type Settings_Deserialize as Settings } from "./bindings";
import { $, say } from "./dom";
import { recordShortcut } from "./shortcut";

const check = (id: string): HTMLInputElement => $<HTMLInputElement>(id);

let current: Settings | null = null;

function notice(text: string | null, failed = false): void {
  say("general-notice", text, failed);
}

function show(settings: Settings, overview: Overview): void {
  current = settings;
  $("ask-start-at-login").hidden = settings.start_at_login !== null && settings.start_at_login !== undefined;
  check("g-start-at-login").checked = settings.start_at_login === true;
  if (document.activeElement !== check("g-clear-hotkey")) check("g-clear-hotkey").value = settings.clear_hotkey ?? "";
  check("g-notifications").checked = settings.notifications !== false;
  const choice = $<HTMLSelectElement>("g-end-preset-choice");
  const chosen = settings.restore_preset ?? "";
  choice.replaceChildren(...overview.presets.map((p) => new Option(p.title, p.id, false, p.id === chosen)));
  // `restore_previous` is left out when true (the default), so only an explicit false clears.
  const ending = settings.restore_preset ? "preset" : settings.restore_previous !== false ? "previous" : "clear";
  check(`g-end-${ending}`).checked = true;
  choice.disabled = ending !== "preset";
}

// Saves run one after another, each from the settings the one before left, so two quick
// changes never undo each other.
let saving: Promise<boolean> = Promise.resolve(true);

function save(change: Partial<Settings>, said: string): Promise<boolean> {
  saving = saving.then(async () => {
    if (!current) return false;
    const next = { ...current, ...change };
    const result = await commands.saveGeneralSettings(next);
    if (result.status === "error") {
      if (result.error.field === "clear_hotkey") hotkeyProblem(result.error.message);
      else notice(result.error.message, true);
      return false;
    }
    current = next;
    notice(said);
    return true;
  });
  return saving;
}

function ending(): Pick<Settings, "restore_previous" | "restore_preset"> {
  const picked = document.querySelector<HTMLInputElement>('input[name="ending"]:checked')?.value;
  const choice = $<HTMLSelectElement>("g-end-preset-choice");
  choice.disabled = picked !== "preset";
  return {
    restore_previous: picked === "previous",
    restore_preset: picked === "preset" ? choice.value || null : null,
  };
}

function hotkeyProblem(message: string | null): void {
  const note = $("g-clear-hotkey-problem");
  note.hidden = message === null;
  note.textContent = message ?? "";
  if (message) check("g-clear-hotkey").setAttribute("aria-invalid", "true");
  else check("g-clear-hotkey").removeAttribute("aria-invalid");
}

export async function renderGeneral(overview: Overview): Promise<void> {
  const settings = await commands.generalSettings();
  if (settings.status === "ok") show(settings.data, overview);
}

export function setUpGeneral(): void {
  const answer = (yes: boolean) => async () => {
    const saved = await save({ start_at_login: yes }, yes ? "Presently starts at login." : "Presently does not start at login.");
    if (!saved) return;
    $("ask-start-at-login").hidden = true;
    check("g-start-at-login").checked = yes;
  };
  $("start-at-login-yes").addEventListener("click", answer(true));
  $("start-at-login-no").addEventListener("click", answer(false));
  check("g-start-at-login").addEventListener("change", () => {
    void answer(check("g-start-at-login").checked)();
  });
  check("g-notifications").addEventListener("change", () => {
    const on = check("g-notifications").checked;
    void save({ notifications: on }, on ? "A notification after every change." : "Notifications only for failures.");
  });
  const onEnding = () => {
    void save(ending(), "Saved what happens when a status ends.");
  };
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="ending"]')) radio.addEventListener("change", onEnding);
  $("g-end-preset-choice").addEventListener("change", onEnding);
  $("g-clear-hotkey-record").addEventListener("click", () =>
    void recordShortcut(check("g-clear-hotkey"), $("g-clear-hotkey-record"), hotkeyProblem, (shortcut) => {
      void save({ clear_hotkey: shortcut }, `${shortcut} clears the status.`).then((saved) => {
        if (!saved) check("g-clear-hotkey").value = current?.clear_hotkey ?? "";
      });
    }),
  );
  $("g-clear-hotkey-none").addEventListener("click", () => {
    check("g-clear-hotkey").value = "";
    hotkeyProblem(null);
    void save({ clear_hotkey: null }, "No hotkey clears the status.");
  });
}
