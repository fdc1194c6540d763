// The settings window: reads accounts, presets and what each account shows now.
// Every call goes through the generated bindings, so types match the Rust commands.
import { commands, type Overview, type PresetView } from "./bindings";
import { openAddAccount, renderAccounts, setUpAccounts } from "./accounts";

const $ = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
};

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function showError(message: string | null): void {
  const banner = $("error");
  banner.hidden = message === null;
  banner.textContent = message ?? "";
}

function describeActive(overview: Overview): string {
  const active = overview.active;
  if (!active) return "No status set by Presently.";
  const until = active.expires_at
    ? `, until ${new Date(active.expires_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`
    : "";
  return `Now: ${active.label}${until}`;
}

async function showPreview(preset: PresetView): Promise<void> {
  const result = await commands.previewPreset(preset.id);
  const list = $("preview-list");
  list.replaceChildren();
  $("preview-title").textContent = `${preset.title} on each account`;
  if (result.status === "error") {
    showError(result.error.message);
    return;
  }
  for (const entry of result.data) {
    const item = document.createElement("li");
    const p = entry.preview;
    if (!p) {
      item.textContent = entry.error?.message ?? `${entry.service_name} (${entry.account}): unknown error`;
      if (entry.error) item.dataset.kind = entry.error.kind;
      item.className = "failed";
    } else {
      const shown = [p.emoji, p.text].filter(Boolean).join(" ") || "(no text)";
      const extra = [p.expiry, ...p.notes, p.problem].filter(Boolean).join(" · ");
      item.textContent = `${entry.service_name} (${entry.account}): ${shown} [${p.availability}]${extra ? " — " + extra : ""}`;
      if (p.problem) item.className = "failed";
    }
    list.append(item);
  }
  $("preview").hidden = false;
}

function renderPresets(overview: Overview): void {
  const body = $<HTMLTableElement>("presets").tBodies[0];
  body.replaceChildren();
  const activeId = overview.active?.preset_id ?? null;
  for (const preset of overview.presets) {
    const row = body.insertRow();
    row.dataset.preset = preset.id;
    if (preset.id === activeId) row.className = "active";
    cell(row, preset.title);
    cell(row, preset.availability_label);
    cell(row, preset.duration ?? "until changed");
    cell(row, preset.hotkey ?? "", "muted");
    const actions = row.insertCell();
    const preview = document.createElement("button");
    preview.textContent = "Preview";
    preview.addEventListener("click", () => void showPreview(preset));
    const apply = document.createElement("button");
    apply.textContent = "Set";
    apply.addEventListener("click", async () => {
      const result = await commands.applyPreset(preset.id);
      showError(result.status === "error" ? result.error.message : null);
      await refresh(true);
    });
    actions.append(preview, " ", apply);
  }
}

let lastActive: string | null = null;
let lastAccounts: string | null = null;
let lastOverview: string | null = null;
let welcomed = false;

// Reads what each account shows from its server; only when something may have changed,
// so an open window does not spend the servers' rate limits.
async function refresh(force = false): Promise<void> {
  const overview = await commands.overview();
  if (overview.status === "error") {
    showError(overview.error.message);
    return;
  }
  const data = overview.data;
  // Re-render only what changed, so a button under the pointer is not replaced mid-click.
  const snapshot = JSON.stringify(data);
  if (!force && snapshot === lastOverview) return;
  lastOverview = snapshot;
  $("active").textContent = describeActive(data);
  $("demo-banner").hidden = !data.demo;
  $("config-path").textContent = data.config_path;
  renderPresets(data);
  // A first run with no account opens the form, with a short welcome above it.
  if (!welcomed && data.accounts.length === 0) openAddAccount();
  welcomed = true;
  const active = JSON.stringify(data.active);
  const accounts = JSON.stringify(data.accounts);
  if (!force && active === lastActive && accounts === lastAccounts) return;
  lastActive = active;
  lastAccounts = accounts;
  renderAccounts(data, []);
  const statuses = await commands.shownStatuses();
  renderAccounts(data, statuses.status === "ok" ? statuses.data : []);
  document.body.dataset.loaded = "true";
}

setUpAccounts(() => refresh(true));

window.addEventListener("focus", () => void refresh(true));
void refresh(true);
// The tray, hotkeys and the expiry timer change the status too; the overview is local
// and cheap, and a change in it triggers one read from the servers.
setInterval(() => void refresh(), 2000);
