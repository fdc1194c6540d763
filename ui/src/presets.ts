// The Presets page: the list (reorder by dragging or with ↑ ↓, add, duplicate, delete
// after asking, preview, set) and the editor, with a live preview of what each account will
// show. Every check is the core's: the preview flags what a service refuses, and Save stays
// disabled until every account can show the preset.
import {
  commands,
  type AccountPreview_Serialize as AccountPreview,
  type Availability_Deserialize as Availability,
  type Overview_Serialize as Overview,
  type PresetView_Serialize as PresetView,
  type Preset_Deserialize as Preset,
} from "./bindings";
import { $, button, input, say } from "./dom";
import { recordShortcut } from "./shortcut";

let refreshAll: () => Promise<void> = async () => {};
let accounts: { id: string; label: string }[] = [];
let order: string[] = [];
// The preset being edited (its id before any change), null for a new one.
let editing: string | null = null;
let previewTimer: number | undefined;
let previewRound = 0;
let draftOk = false;
let confirmingDelete: string | null = null;

function notice(text: string | null, failed = false): void {
  say("preset-notice", text, failed);
}

function lasts(preset: PresetView): string {
  return preset.duration ?? "until changed";
}

let drawn: string | null = null;

export function renderPresets(overview: Overview): void {
  accounts = overview.accounts.map((a) => ({ id: a.id, label: a.name }));
  order = overview.presets.map((p) => p.id);
  const key = JSON.stringify([overview.presets, overview.active?.preset_id ?? null]);
  if (key === drawn) return;
  drawn = key;
  const body = $<HTMLTableElement>("presets").tBodies[0];
  body.replaceChildren();
  const activeId = overview.active?.preset_id ?? null;
  overview.presets.forEach((preset, index) => {
    const row = body.insertRow();
    row.dataset.preset = preset.id;
    row.draggable = true;
    if (preset.id === activeId) row.className = "active";
    for (const text of [preset.title, preset.availability_label, lasts(preset), preset.hotkey ?? ""]) {
      row.insertCell().textContent = text;
    }
    row.cells[3].className = "muted";
    const tools = document.createElement("div");
    tools.className = "tools";
    row.insertCell().append(tools);
    const up = button("↑", () => void move(preset.id, -1), `Move ${preset.name} up`);
    const down = button("↓", () => void move(preset.id, 1), `Move ${preset.name} down`);
    up.disabled = index === 0;
    down.disabled = index === overview.presets.length - 1;
    tools.append(
      up,
      down,
      button("Preview", () => void showPreview(preset), `Preview ${preset.name}`),
      button("Set", () => void apply(preset), `Set ${preset.name}`),
      button("Edit", () => void edit(preset.id), `Edit ${preset.name}`),
      button("Duplicate", () => void duplicate(preset.id), `Duplicate ${preset.name}`),
      button("Delete", () => {
        confirmingDelete = preset.id;
        askDelete(tools, preset).focus();
      }, `Delete ${preset.name}`),
    );
    if (confirmingDelete === preset.id) askDelete(tools, preset);
    row.addEventListener("dragstart", (event) => {
      event.dataTransfer?.setData("text/plain", preset.id);
      row.classList.add("dragging");
    });
    row.addEventListener("dragend", () => row.classList.remove("dragging"));
    row.addEventListener("dragover", (event) => event.preventDefault());
    row.addEventListener("drop", (event) => {
      event.preventDefault();
      const moved = event.dataTransfer?.getData("text/plain");
      if (moved && moved !== preset.id) void drop(moved, preset.id);
    });
  });
}

function askDelete(tools: HTMLElement, preset: PresetView): HTMLButtonElement {
  tools.querySelector(".confirm")?.remove();
  const ask = document.createElement("div");
  ask.className = "confirm";
  ask.setAttribute("role", "alertdialog");
  ask.setAttribute("aria-label", `Delete ${preset.name}?`);
  const question = document.createElement("span");
  question.textContent = `Delete ${preset.name}? `;
  const yes = button("Yes, delete", async () => {
    confirmingDelete = null;
    const result = await commands.deletePreset(preset.id);
    notice(result.status === "ok" ? `Deleted ${preset.name}.` : result.error.message, result.status === "error");
    await refreshAll();
  });
  const no = button("Keep", () => {
    confirmingDelete = null;
    ask.remove();
  });
  ask.append(question, yes, " ", no);
  tools.append(ask);
  return yes;
}

async function reorder(ids: string[]): Promise<void> {
  const result = await commands.reorderPresets(ids);
  notice(result.status === "error" ? result.error.message : null, result.status === "error");
  await refreshAll();
}

async function move(id: string, by: number): Promise<void> {
  const ids = [...order];
  const from = ids.indexOf(id);
  const to = from + by;
  if (from < 0 || to < 0 || to >= ids.length) return;
  [ids[from], ids[to]] = [ids[to], ids[from]];
  await reorder(ids);
  // Keyboard users keep their place on the moved preset.
  document.querySelector<HTMLButtonElement>(`tr[data-preset="${id}"] button[aria-label^="Move"]:not([disabled])`)?.focus();
}

async function drop(moved: string, onto: string): Promise<void> {
  const ids = order.filter((id) => id !== moved);
  ids.splice(ids.indexOf(onto) + (order.indexOf(moved) < order.indexOf(onto) ? 1 : 0), 0, moved);
  await reorder(ids);
}

async function apply(preset: PresetView): Promise<void> {
  const result = await commands.applyPreset(preset.id);
  notice(result.status === "error" ? result.error.message : result.data.title, result.status === "error");
  await refreshAll();
}

async function showPreview(preset: PresetView): Promise<void> {
  const result = await commands.previewPreset(preset.id);
  const list = $("preview-list");
  list.replaceChildren();
  $("preview-title").textContent = `${preset.title} on each account`;
  if (result.status === "error") {
    notice(result.error.message, true);
    return;
  }
  for (const entry of result.data) list.append(previewItem(entry));
  $("preview").hidden = false;
}

// "Zulip (Work chat)": the account's label, or its id.
function nameOf(entry: AccountPreview): string {
  return accounts.find((a) => a.id === entry.account)?.label ?? `${entry.service_name} (${entry.account})`;
}

function previewItem(entry: AccountPreview): HTMLLIElement {
  const item = document.createElement("li");
  item.dataset.account = entry.account;
  const p = entry.preview;
  if (!p) {
    item.textContent = entry.error?.message ?? `${nameOf(entry)}: unknown error`;
    if (entry.error) item.dataset.kind = entry.error.kind;
    item.className = "failed";
    return item;
  }
  const shown = [p.emoji, p.text].filter(Boolean).join(" ") || "(no text)";
  const extra = [p.expiry, ...p.notes, p.problem].filter(Boolean).join(" · ");
  item.textContent = `${nameOf(entry)}: ${shown} [${p.availability}]${extra ? " — " + extra : ""}`;
  if (p.problem) item.className = "failed";
  return item;
}

// The editor.

async function load(id: string): Promise<Preset | null> {
  const result = await commands.presets();
  if (result.status === "error") {
    notice(result.error.message, true);
    return null;
  }
  return result.data.find((p) => p.id === id) ?? null;
}

function slug(name: string): string {
  const base = name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "preset";
  let id = base.slice(0, 60);
  for (let n = 2; order.includes(id); n++) id = `${base.slice(0, 56)}-${n}`;
  return id;
}

function toLocalInput(iso: string): string {
  const at = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

function fillEditor(preset: Preset, title: string): void {
  $("preset-form-title").textContent = title;
  input("p-name").value = preset.name;
  input("p-emoji").value = preset.emoji ?? "";
  input("p-text").value = preset.text ?? "";
  $<HTMLSelectElement>("p-availability").value = preset.availability;
  const clear = $<HTMLSelectElement>("p-clear-after");
  const until = preset.until ?? null;
  const duration = preset.duration ?? null;
  let choice = "";
  if (until === "today" || until === "week") choice = until;
  else if (until && !until.includes("T")) {
    // An end written by hand in words ("17:00", "tomorrow 09:00", "2026-12-24") keeps them.
    const kept = `until:${until}`;
    if (![...clear.options].some((o) => o.value === kept)) clear.add(new Option(`until ${until}`, kept), 6);
    choice = kept;
  } else if (until) {
    choice = "at";
    input("p-until-at").value = toLocalInput(until);
  } else if (duration) {
    // A duration written by hand ("45m") gets an option of its own.
    if (![...clear.options].some((o) => o.value === duration)) clear.add(new Option(duration, duration), 6);
    choice = duration;
  }
  clear.value = choice;
  input("p-hotkey").value = preset.hotkey ?? "";
  const body = $<HTMLTableElement>("overrides").tBodies[0];
  body.replaceChildren();
  for (const account of accounts) {
    const over = preset.overrides?.[account.id] ?? {};
    const row = body.insertRow();
    row.dataset.account = account.id;
    row.insertCell().textContent = account.label;
    const text = document.createElement("input");
    text.value = over.text ?? "";
    text.setAttribute("aria-label", `Other text for ${account.id}`);
    text.dataset.field = "text";
    const emoji = document.createElement("input");
    emoji.value = over.emoji ?? "";
    emoji.setAttribute("aria-label", `Other emoji for ${account.id}`);
    emoji.dataset.field = "emoji";
    emoji.size = 8;
    const skip = document.createElement("input");
    skip.type = "checkbox";
    skip.checked = over.skip ?? false;
    skip.setAttribute("aria-label", `Skip ${account.id}`);
    skip.dataset.field = "skip";
    row.insertCell().append(text);
    row.insertCell().append(emoji);
    row.insertCell().append(skip);
  }
  $("p-overrides").hidden = accounts.length === 0;
  showUntil();
  fieldProblem("text", null);
  fieldProblem("hotkey", null);
  $("preset-error").hidden = true;
  $("emoji-picker").hidden = true;
  $("preset-editor").hidden = false;
  $("preset-editor").scrollIntoView({ block: "nearest" });
  input("p-name").focus();
  schedulePreview();
}

function showUntil(): void {
  const at = $<HTMLSelectElement>("p-clear-after").value === "at";
  for (const element of $("preset-form").querySelectorAll<HTMLElement>("[data-at]")) element.hidden = !at;
}

function readEditor(): Preset {
  const clear = $<HTMLSelectElement>("p-clear-after").value;
  let duration: string | null = null;
  let until: string | null = null;
  if (clear === "today" || clear === "week") until = clear;
  else if (clear.startsWith("until:")) until = clear.slice("until:".length);
  else if (clear === "at") until = input("p-until-at").value ? new Date(input("p-until-at").value).toISOString() : null;
  else if (clear) duration = clear;
  const overrides: Record<string, { text?: string | null; emoji?: string | null; skip?: boolean }> = {};
  for (const row of $<HTMLTableElement>("overrides").tBodies[0].rows) {
    const get = (field: string) => row.querySelector<HTMLInputElement>(`[data-field="${field}"]`);
    const text = get("text")?.value.trim() || null;
    const emoji = get("emoji")?.value.trim() || null;
    const skip = get("skip")?.checked ?? false;
    if (text || emoji || skip) overrides[row.dataset.account ?? ""] = { text, emoji, skip };
  }
  const name = input("p-name").value.trim();
  return {
    id: editing ?? slug(name),
    name,
    emoji: input("p-emoji").value.trim() || null,
    text: input("p-text").value,
    availability: $<HTMLSelectElement>("p-availability").value as Availability,
    duration,
    until,
    hotkey: input("p-hotkey").value || null,
    overrides,
  };
}

function fieldProblem(field: "text" | "hotkey", message: string | null): void {
  const target = input(`p-${field}`);
  const note = $(`p-${field}-problem`);
  note.hidden = message === null;
  note.textContent = message ?? "";
  if (message) target.setAttribute("aria-invalid", "true");
  else target.removeAttribute("aria-invalid");
}

function updateSave(): void {
  const named = input("p-name").value.trim().length > 0;
  $<HTMLButtonElement>("preset-save").disabled = !(draftOk && named);
}

function schedulePreview(): void {
  draftOk = false;
  updateSave();
  window.clearTimeout(previewTimer);
  previewTimer = window.setTimeout(() => void previewDraft(), 120);
}

// Asks the core what each account will show; only the newest answer is drawn.
async function previewDraft(): Promise<void> {
  const round = ++previewRound;
  const result = await commands.previewDraft(readEditor());
  if (round !== previewRound) return;
  const list = $("draft-preview");
  list.replaceChildren();
  if (result.status === "error") {
    fieldProblem("text", result.error.message);
    draftOk = false;
    updateSave();
    return;
  }
  const problems: string[] = [];
  for (const entry of result.data) {
    list.append(previewItem(entry));
    if (entry.preview?.problem) problems.push(`${nameOf(entry)}: ${entry.preview.problem}`);
    // An account that cannot say what it can show now: nothing unchecked is saved.
    if (entry.error) problems.push(`${entry.error.message} (cannot check it now)`);
  }
  if (result.data.length === 0) {
    const item = document.createElement("li");
    item.className = "muted";
    item.textContent = accounts.length ? "Every account is skipped." : "No accounts yet.";
    list.append(item);
  }
  fieldProblem("text", problems.length ? problems.join(" ") : null);
  draftOk = problems.length === 0;
  updateSave();
}

async function edit(id: string): Promise<void> {
  const preset = await load(id);
  if (!preset) return;
  editing = id;
  fillEditor(preset, `Edit ${preset.name}`);
}

async function duplicate(id: string): Promise<void> {
  const preset = await load(id);
  if (!preset) return;
  editing = null;
  fillEditor({ ...preset, name: `${preset.name} (copy)`, hotkey: null }, `New preset from ${preset.name}`);
}

function addPreset(): void {
  editing = null;
  fillEditor({ id: "", name: "", emoji: null, text: "", availability: "available", duration: null, until: null, hotkey: null, overrides: {} }, "New preset");
}

async function save(): Promise<void> {
  const draft = readEditor();
  const result = await commands.savePreset(editing, draft);
  if (result.status === "error") {
    const error = result.error;
    if (error.field === "hotkey") fieldProblem("hotkey", error.message);
    else if (error.field === "text") fieldProblem("text", error.message);
    const banner = $("preset-error");
    banner.hidden = false;
    banner.textContent = error.message;
    return;
  }
  $("preset-editor").hidden = true;
  notice(`Saved ${draft.name}.`);
  await refreshAll();
}

// The emoji picker: a search over Unicode's names, answered by the core. Typing sends a
// search per key; only the answer to the latest one is drawn.
let emojiSearches = 0;
async function searchEmoji(): Promise<void> {
  const asked = ++emojiSearches;
  const result = await commands.searchEmoji(input("p-emoji-search").value);
  if (asked !== emojiSearches) return;
  const box = $("emoji-results");
  box.replaceChildren();
  if (result.status === "error") return;
  const pick = (value: string) => {
    input("p-emoji").value = value;
    $("emoji-picker").hidden = true;
    $("p-emoji-choose").setAttribute("aria-expanded", "false");
    input("p-emoji").focus();
    schedulePreview();
  };
  // The organizations' own emoji first: they are what a search for their name means.
  for (const custom of result.data.custom) {
    const option = button(`:${custom.name}:`, () => pick(`:${custom.name}:`), `:${custom.name}:`);
    option.setAttribute("role", "option");
    option.className = "custom-emoji";
    option.title = `Custom emoji of ${custom.accounts.join(", ")}`;
    box.append(option);
  }
  for (const choice of result.data.unicode) {
    const option = button(choice.glyph, () => pick(choice.glyph), choice.name);
    option.setAttribute("role", "option");
    option.title = choice.shortcode ? `${choice.name} (:${choice.shortcode}:)` : choice.name;
    box.append(option);
  }
}

export function setUpPresets(refresh: () => Promise<void>): void {
  refreshAll = refresh;
  $("add-preset").addEventListener("click", addPreset);
  $("preset-cancel").addEventListener("click", () => {
    $("preset-editor").hidden = true;
  });
  $("preset-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void save();
  });
  $("preset-form").addEventListener("input", (event) => {
    if ((event.target as HTMLElement).id !== "p-emoji-search") schedulePreview();
  });
  $("preset-form").addEventListener("change", schedulePreview);
  $("p-clear-after").addEventListener("change", showUntil);
  $("p-hotkey-record").addEventListener("click", () =>
    void recordShortcut(input("p-hotkey"), $("p-hotkey-record"), (m) => fieldProblem("hotkey", m), () => schedulePreview()),
  );
  $("p-hotkey-clear").addEventListener("click", () => {
    input("p-hotkey").value = "";
    fieldProblem("hotkey", null);
  });
  $("p-emoji-choose").addEventListener("click", () => {
    const picker = $("emoji-picker");
    picker.hidden = !picker.hidden;
    $("p-emoji-choose").setAttribute("aria-expanded", String(!picker.hidden));
    if (!picker.hidden) {
      input("p-emoji-search").focus();
      void searchEmoji();
    }
  });
  input("p-emoji-search").addEventListener("input", () => void searchEmoji());
}
