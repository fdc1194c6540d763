// The settings window: reads accounts, presets and what each account shows now.
// Every call goes through the generated bindings, so types match the Rust commands.
import { commands, events, type AccountStatus_Serialize as AccountStatus, type Overview } from "./bindings";
import { openAddAccount, renderAccounts, setUpAccounts } from "./accounts";
import { renderPresets, setUpPresets } from "./presets";
import { renderGeneral, setUpGeneral } from "./general";
import { $ } from "./dom";

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
// What each account showed when last read: drawn again while the servers are asked anew,
// so the table keeps its height and nothing below it moves under the pointer.
let lastStatuses: AccountStatus[] = [];
let welcomed = false;
/** The first picture was drawn (said once, for timing the window's opening). */
let rendered = false;

// One refresh at a time; asks that come meanwhile are folded into one more round, so a
// burst of changes (a save writes several files) reads and draws once or twice, not ten times.
let running: Promise<void> | null = null;
let again: boolean | null = null;

function refresh(force = false): Promise<void> {
  if (running) {
    again = (again ?? false) || force;
    return running;
  }
  running = (async () => {
    try {
      await refreshOnce(force);
      while (again !== null) {
        const next = again;
        again = null;
        await refreshOnce(next);
      }
    } finally {
      running = null;
    }
  })();
  return running;
}

// Reads what each account shows from its server; only when something may have changed,
// so an open window does not spend the servers' rate limits.
async function refreshOnce(force = false): Promise<void> {
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
  await renderGeneral(data);
  // A first run with no account opens the form, with a short welcome above it.
  if (!welcomed && data.accounts.length === 0) openAddAccount();
  welcomed = true;
  const active = JSON.stringify(data.active);
  const accounts = JSON.stringify(data.accounts);
  if (!force && active === lastActive && accounts === lastAccounts) return;
  lastActive = active;
  lastAccounts = accounts;
  renderAccounts(data, lastStatuses);
  if (!rendered) {
    rendered = true;
    void commands.windowRendered();
  }
  const statuses = await commands.shownStatuses();
  lastStatuses = statuses.status === "ok" ? statuses.data : [];
  renderAccounts(data, lastStatuses);
  document.body.dataset.loaded = "true";
}

setUpAccounts(() => refresh(true));
setUpPresets(() => refresh(true));
setUpGeneral();

window.addEventListener("focus", () => void refresh(true));
void refresh(true);
// The tray, hotkeys, the expiry timer, the CLI and a text editor change things too; the app
// watches its files and says so, and the window reads the overview again.
void events.configChanged.listen(() => void refresh(true));
void events.statusChanged.listen(() => void refresh());
