// The Accounts page: each account's state and actions (Test, Sign in again, Remove, Sync
// statuses), and the form that adds an account or signs one in again with the service's
// real sign-in. Secrets go from the form to the app and are never read back.
import {
  commands,
  events,
  type AccountForm_Deserialize as AccountForm,
  type AccountStatus,
  type AccountView_Serialize as AccountView,
  type ErrorReport_Serialize as ErrorReport,
  type Overview_Serialize as Overview,
} from "./bindings";
import { $, button, input, say } from "./dom";

const value = (id: string): string => input(id).value.trim();
const optional = (id: string): string | null => value(id) || null;

type Service = "zulip" | "rocketchat" | "zoom" | "mattermost" | "matrix" | "slack";
// "edit" is signing in again with the server fields open to change (a new site, user).
type Mode = { kind: "add" } | { kind: "signin"; account: AccountView; edit: boolean };

let mode: Mode = { kind: "add" };
// The form's fields as the form opened, so an edit that only renames asks no server.
let opened = new Map<string, string>();

function fieldValues(): Map<string, string> {
  const values = new Map<string, string>();
  for (const field of $("account-form").querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select")) {
    if (field.id !== "f-label") values.set(field.id, field.value);
  }
  return values;
}

function credentialsChanged(): boolean {
  const now = fieldValues();
  return [...now].some(([id, value]) => opened.get(id) !== value);
}
// The account whose removal waits for an answer; kept across re-renders of the table.
let confirming: string | null = null;
let refreshAll: () => Promise<void> = async () => {};

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function notice(text: string | null, failed = false): void {
  say("account-notice", text, failed);
}

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

// What the account shows now, read back from its server, and since when Presently set it.
function shownText(status: AccountStatus | undefined): [string, string] {
  if (!status) return ["…", "muted shown"];
  if (status.error) return [status.error.message, "failed shown"];
  const shown = status.shown;
  const words = shown ? [shown.emoji, shown.text].filter(Boolean).join(" ") : "";
  // Zoom shows only a presence, so the availability is the status there.
  const presence = shown?.availability ?? "";
  const text = words && presence ? `${words} (${presence})` : words || presence || "no status";
  return [text, "shown"];
}

// What the table shows now, so drawing the same again leaves it (and the button under the
// pointer) alone.
let drawn: string | null = null;

export function renderAccounts(overview: Overview, statuses: AccountStatus[]): void {
  const key = JSON.stringify([overview.accounts, statuses]);
  if (key === drawn) return;
  drawn = key;
  const body = $<HTMLTableElement>("accounts").tBodies[0];
  body.replaceChildren();
  for (const account of overview.accounts) {
    const row = body.insertRow();
    row.dataset.account = account.id;
    const named = cell(row, account.label ?? account.id);
    if (account.label) {
      const id = document.createElement("div");
      id.className = "muted";
      id.textContent = account.id;
      named.append(id);
    }
    cell(row, account.service_name);
    cell(row, account.description, "muted");
    const state = cell(row, account.state, account.needs_sign_in ? "attention state" : "state");
    if (account.last_error && !account.needs_sign_in) {
      const last = document.createElement("div");
      last.className = "failed";
      last.textContent = `Last try: ${account.last_error.message}`;
      state.append(last);
    }
    const status = statuses.find((s) => s.account === account.id);
    const [text, className] = shownText(status);
    const shown = cell(row, text, className);
    if (status?.error) shown.dataset.kind = status.error.kind;
    if (account.since && !status?.error) {
      const since = document.createElement("div");
      since.className = "muted since";
      since.textContent = `since ${time(account.since)}`;
      shown.append(since);
    }
    const toolsCell = row.insertCell();
    const tools = document.createElement("div");
    tools.className = "tools";
    toolsCell.append(tools);
    if (account.attention && !account.attention.startsWith("Sign in again")) {
      const note = document.createElement("div");
      note.className = "attention";
      note.textContent = account.attention;
      tools.append(note);
    }
    tools.append(
      button("Test", () => void test(account), `Test ${account.id}`),
      button("Edit", () => openForm({ kind: "signin", account, edit: true }), `Edit ${account.id}`),
      button("Sign in again", () => void signInAgain(account), `Sign in again to ${account.id}`),
    );
    if (account.service === "rocketchat") {
      const sync = button("Sync statuses", () => void syncStatuses(account.id), `Sync statuses of ${account.id}`);
      sync.title = "Publish the presets as this server's custom statuses";
      tools.append(sync);
    }
    tools.append(
      button("Remove", () => {
        confirming = account.id;
        confirmRemove(tools, account).focus();
      }, `Remove ${account.id}`),
    );
    if (confirming === account.id) confirmRemove(tools, account);
  }
  $("accounts").hidden = overview.accounts.length === 0;
  $("welcome").hidden = overview.accounts.length > 0;
}

async function test(account: AccountView): Promise<void> {
  notice(`Testing ${account.id}…`);
  const result = await commands.testAccount(account.id);
  if (result.status === "ok") {
    notice(`${account.id} works: signed in as ${result.data.name} on ${result.data.server}.`);
  } else {
    notice(result.error.message, true);
  }
  await refreshAll();
}

// Remove asks first, in the row itself: "Remove team and its keyring entries?"
function confirmRemove(tools: HTMLElement, account: AccountView): HTMLButtonElement {
  tools.querySelector(".confirm")?.remove();
  const ask = document.createElement("div");
  ask.className = "confirm";
  ask.setAttribute("role", "alertdialog");
  ask.setAttribute("aria-label", `Remove ${account.id}?`);
  const question = document.createElement("span");
  question.textContent = `Remove ${account.id} and its keyring entries? `;
  const yes = button("Yes, remove", async () => {
    confirming = null;
    const result = await commands.removeAccount(account.id);
    if (result.status === "ok") {
      notice([`Removed ${account.id}.`, ...result.data].join(" "));
    } else {
      notice(result.error.message, true);
    }
    await refreshAll();
  });
  const no = button("Keep", () => {
    confirming = null;
    ask.remove();
  });
  ask.append(question, yes, " ", no);
  tools.append(ask);
  return yes;
}

async function syncStatuses(account: string): Promise<void> {
  const result = await commands.syncCustomStatuses(account, false);
  const list = $("sync-list");
  list.replaceChildren();
  $("sync-title").textContent = `Custom statuses on ${account}`;
  if (result.status === "error") {
    notice(result.error.message, true);
    return;
  }
  notice(null);
  const lines = result.data.length ? result.data : [{ text: "already match the presets; nothing to change", ok: true }];
  for (const line of lines) {
    const item = document.createElement("li");
    item.textContent = line.text;
    if (!line.ok) item.className = "failed";
    list.append(item);
  }
  $("sync").hidden = false;
}

// The form: which fields show follows the service and the way of signing in.
function service(): Service {
  return $<HTMLSelectElement>("f-service").value as Service;
}

// Each service's "Sign in with" choice.
const METHOD: Record<Service, string | null> = {
  zulip: null,
  rocketchat: "f-rc-method",
  zoom: "f-zoom-method",
  mattermost: "f-mm-method",
  matrix: "f-mx-method",
  slack: "f-sl-method",
};

function method(): string {
  const which = METHOD[service()];
  return which ? $<HTMLSelectElement>(which).value : "";
}

// The second-factor field of the service shown.
function codeField(): string {
  return service() === "mattermost" ? "f-mm-code" : "f-code";
}

function showFields(): void {
  const form = $<HTMLFormElement>("account-form");
  for (const group of form.querySelectorAll<HTMLElement>("[data-service]")) {
    group.hidden = group.dataset.service !== service();
  }
  for (const field of form.querySelectorAll<HTMLElement>("[data-method]")) {
    const group = field.closest<HTMLElement>("[data-service]");
    field.hidden = group?.dataset.service === service() && field.dataset.method !== method();
  }
  const browser =
    service() === "zoom" && method() === "user"
      ? "Sign in with Zoom"
      : service() === "slack" && method() === "browser"
        ? "Sign in with Slack"
        : null;
  const submit = $("form-submit");
  if (mode.kind === "signin") {
    submit.textContent = browser ?? (mode.edit ? "Save" : "Sign in again");
  } else {
    submit.textContent = browser ?? "Add";
  }
}

function formError(error: ErrorReport | null): void {
  const p = $("form-error");
  p.hidden = error === null;
  p.textContent = error?.message ?? "";
  for (const field of $("account-form").querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
  if (error?.field === "code") {
    for (const element of $("account-form").querySelectorAll<HTMLElement>("[data-code]")) element.hidden = false;
    input(codeField()).setAttribute("aria-invalid", "true");
    input(codeField()).focus();
  }
}

function waiting(on: boolean, url?: string): void {
  $("form-waiting").hidden = !on;
  $("form-submit").toggleAttribute("disabled", on);
  if (url) {
    $<HTMLAnchorElement>("form-url").href = url;
    $("form-url-text").textContent = url;
  }
}

function clearSecrets(): void {
  for (const id of ["f-api-key", "f-password", "f-token", "f-client-secret", "f-code", "f-mm-token", "f-mm-password", "f-mm-code", "f-mx-password", "f-mx-token", "f-sl-token"]) {
    input(id).value = "";
  }
}

function readForm(): AccountForm {
  switch (service()) {
    case "zulip":
      return { kind: "zulip_key", site: value("f-site"), email: value("f-email"), api_key: value("f-api-key") };
    case "rocketchat":
      return method() === "token"
        ? { kind: "rocket_chat_token", server: value("f-server"), user_id: value("f-user-id"), token: value("f-token") }
        : {
            kind: "rocket_chat_password",
            server: value("f-server"),
            user: value("f-user"),
            password: input("f-password").value,
            code: optional("f-code"),
          };
    case "mattermost":
      return method() === "token"
        ? { kind: "mattermost_token", server: value("f-mm-server"), token: value("f-mm-token") }
        : {
            kind: "mattermost_password",
            server: value("f-mm-server"),
            login_id: value("f-mm-user"),
            password: input("f-mm-password").value,
            code: optional("f-mm-code"),
          };
    case "matrix":
      return method() === "token"
        ? { kind: "matrix_token", homeserver: optional("f-mx-homeserver"), user_id: optional("f-mx-user"), token: value("f-mx-token") }
        : { kind: "matrix_password", homeserver: optional("f-mx-homeserver"), user: value("f-mx-user"), password: input("f-mx-password").value };
    case "slack":
      return method() === "token"
        ? { kind: "slack_token", token: value("f-sl-token"), base: optional("f-sl-base") }
        : {
            kind: "slack_browser",
            client_id: value("f-sl-client-id"),
            redirect_port: Number(value("f-sl-redirect-port")) || null,
            base: optional("f-sl-base"),
          };
    case "zoom": {
      const common = {
        client_id: value("f-client-id"),
        client_secret: value("f-client-secret"),
        api_base: optional("f-api-base"),
        auth_base: optional("f-auth-base"),
      };
      return method() === "s2s"
        ? { kind: "zoom_server_to_server", ...common, account_id: value("f-account-id"), user: optional("f-zoom-user") }
        : { kind: "zoom_user", ...common, redirect_port: Number(value("f-redirect-port")) || null };
    }
  }
}

function openForm(next: Mode): void {
  mode = next;
  const form = $<HTMLFormElement>("account-form");
  form.reset();
  formError(null);
  waiting(false);
  for (const element of form.querySelectorAll<HTMLElement>("[data-code]")) element.hidden = true;
  for (const field of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select")) {
    field.disabled = false;
  }
  if (next.kind === "signin") {
    const { account } = next;
    const settings = account.settings;
    $("account-form-title").textContent = next.edit ? `Edit ${account.id}` : `Sign in again to ${account.id}`;
    $<HTMLSelectElement>("f-service").value = settings.service;
    input("f-id").value = account.id;
    input("f-label").value = account.label ?? "";
    if (settings.service === "zulip") {
      input("f-site").value = settings.site;
      input("f-email").value = settings.email;
    } else if (settings.service === "rocketchat") {
      input("f-server").value = settings.server;
      input("f-user").value = settings.user;
      // `signed_in` is left out of the config when false: a personal access token.
      $<HTMLSelectElement>("f-rc-method").value = settings.signed_in ? "password" : "token";
    } else if (settings.service === "matrix") {
      input("f-mx-user").value = settings.user_id;
      input("f-mx-homeserver").value = settings.homeserver;
      $<HTMLSelectElement>("f-mx-method").value = settings.signed_in ? "password" : "token";
    } else if (settings.service === "mattermost") {
      input("f-mm-server").value = settings.server;
      input("f-mm-user").value = settings.user;
      $<HTMLSelectElement>("f-mm-method").value = settings.signed_in ? "password" : "token";
    } else if (settings.service === "slack") {
      $<HTMLSelectElement>("f-sl-method").value = settings.client_id ? "browser" : "token";
      input("f-sl-client-id").value = settings.client_id ?? "";
      input("f-sl-redirect-port").value = String(settings.redirect_port ?? 47616);
      input("f-sl-base").value = settings.base ?? "https://slack.com";
    } else {
      $<HTMLSelectElement>("f-zoom-method").value = settings.auth === "server_to_server" ? "s2s" : "user";
      input("f-client-id").value = settings.client_id;
      input("f-account-id").value = settings.account_id ?? "";
      input("f-zoom-user").value = settings.user ?? "";
      input("f-api-base").value = settings.api_base ?? input("f-api-base").value;
      input("f-auth-base").value = settings.auth_base ?? input("f-auth-base").value;
    }
    // What identifies the account stays; only the credentials are new (and, when editing,
    // where the account lives). The server checks them before anything changes.
    const fixed = next.edit
      ? ["f-service", "f-id"]
      : ["f-service", "f-id", "f-label", "f-site", "f-email", "f-server", "f-user", "f-mm-server", "f-mm-user", "f-mx-user", "f-mx-homeserver", "f-sl-base", "f-sl-method", "f-sl-client-id"];
    for (const id of fixed) {
      (document.getElementById(id) as HTMLInputElement).disabled = true;
    }
  } else {
    $("account-form-title").textContent = "Add an account";
  }
  showFields();
  opened = fieldValues();
  form.hidden = false;
  (next.kind === "signin" ? form.querySelector<HTMLElement>("input:not([disabled]):not([hidden])") : input("f-id"))?.focus();
}

async function signInAgain(account: AccountView): Promise<void> {
  // Zoom and Slack sign in again in the browser with the app they already have.
  const settings = account.settings;
  const browser =
    (settings.service === "zoom" && settings.auth === "user") || (settings.service === "slack" && !!settings.client_id);
  if (browser) {
    openForm({ kind: "signin", account, edit: false });
    await submit(null);
    return;
  }
  openForm({ kind: "signin", account, edit: false });
}

// Sends the form; `form` null signs in again through the service's own flow (the browser).
// Edit: a new label is saved at once; the server is asked only when a field it checks changed.
async function saveEdit(account: AccountView): Promise<boolean> {
  const label = optional("f-label");
  if (label !== (account.label ?? null)) {
    const renamed = await commands.renameAccount(account.id, label);
    if (renamed.status === "error") {
      formError(renamed.error);
      return false;
    }
  }
  if (credentialsChanged()) return true;
  notice(`Saved ${account.id}.`);
  $("account-form").hidden = true;
  await refreshAll();
  return false;
}

async function submit(form: AccountForm | null): Promise<void> {
  formError(null);
  if (mode.kind === "signin" && mode.edit && !(await saveEdit(mode.account))) return;
  const inBrowser = form === null || form.kind === "zoom_user" || form.kind === "slack_browser";
  if (inBrowser) waiting(true);
  const id = value("f-id");
  // The form may be closed and opened for another account while this one waits.
  const asked = mode;
  const result =
    asked.kind === "signin"
      ? await commands.signInAccount(asked.account.id, form)
      : await commands.addAccount(id, optional("f-label"), form as AccountForm);
  waiting(false);
  if (asked !== mode) return;
  if (result.status === "error") {
    formError(result.error);
    return;
  }
  clearSecrets();
  const verb = mode.kind === "signin" ? (mode.edit ? "Saved" : "Signed in again") : "Added";
  const who = mode.kind === "signin" ? mode.account.id : id;
  notice(`${verb} ${who}: signed in as ${result.data.name} on ${result.data.server}.`);
  $("account-form").hidden = true;
  await refreshAll();
}

export function setUpAccounts(refresh: () => Promise<void>): void {
  refreshAll = refresh;
  $("add-account").addEventListener("click", () => openForm({ kind: "add" }));
  $("form-close").addEventListener("click", () => {
    // A sign-in waiting for the browser ends with the form, freeing its port.
    if (!$("form-waiting").hidden) void commands.cancelSignIn();
    clearSecrets();
    $("account-form").hidden = true;
  });
  $("form-cancel").addEventListener("click", () => void commands.cancelSignIn());
  for (const id of ["f-service", "f-rc-method", "f-zoom-method", "f-mm-method", "f-mx-method", "f-sl-method"]) $(id).addEventListener("change", showFields);
  $("f-zuliprc").addEventListener("click", async () => {
    const chosen = await commands.chooseZuliprc();
    if (chosen.status === "error" || chosen.data === null) return;
    formError(null);
    const id = value("f-id");
    const result =
      mode.kind === "signin"
        ? await commands.signInAccount(mode.account.id, { kind: "zulip_rc", path: chosen.data })
        : await commands.addAccount(id, optional("f-label"), { kind: "zulip_rc", path: chosen.data });
    if (result.status === "error") {
      formError(result.error);
      return;
    }
    const verb = mode.kind === "signin" ? `Signed in again ${mode.account.id}` : `Added ${id}`;
    notice(`${verb}: signed in as ${result.data.name} on ${result.data.server}.`);
    $("account-form").hidden = true;
    await refreshAll();
  });
  $("account-form").addEventListener("submit", (event) => {
    event.preventDefault();
    void submit(readForm());
  });
  void events.signInWaiting.listen((event) => waiting(true, event.payload.url));
}

export function openAddAccount(): void {
  openForm({ kind: "add" });
}
