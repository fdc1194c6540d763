// The settings window: reads accounts, presets and what each account shows now.
// Every call goes through the generated bindings, so types match the Rust commands.
import { commands, type Overview } from "./bindings";
import { openAddAccount, renderAccounts, setUpAccounts } from "./accounts";
import { renderPresets, setUpPresets } from "./presets";

const $ = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
};

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
setUpPresets(() => refresh(true));

window.addEventListener("focus", () => void refresh(true));
void refresh(true);
// The tray, hotkeys and the expiry timer change the status too; the overview is local
// and cheap, and a change in it triggers one read from the servers.
setInterval(() => void refresh(), 2000);
