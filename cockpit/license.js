/*
 * The license page: org.imss.License on the system bus, through
 * cockpit.dbus() with the logged-in user's rights (superuser "try": the bus
 * policy and polkit decide). Live through PropertiesChanged and the
 * service's signals; nothing polls. An activation code is only ever in the
 * dialog's password field and the Activate call: never in a URL, the DOM
 * after the call, or the console.
 */
/* global cockpit */

const _ = cockpit.gettext;
const BUS_NAME = "org.imss.License";
const PATH = "/org/imss/License";
const IFACE = "org.imss.License";
const SLOT_IFACE = "org.imss.License.Slot";
const HISTORY_PAGE = 20;
const CODE_MAX = 64;

/* the slots in the order of the product's console (SPEC §1); the names are
 * the msgids of common/imss-slot.c, translated from the same po/ */
const SLOTS = [
    ["cloud-prefilter", () => _("Cloud Pre-Filter")],
    ["antivirus", () => _("Antivirus and Content Filter")],
    ["antispam", () => _("Anti-spam (Content Scanning)")],
    ["email-reputation", () => _("Email Reputation and IP Profiler")],
    ["email-encryption", () => _("Trend Micro Email Encryption")],
    ["compliance", () => _("Regulatory Compliance")],
];

const STATES = {
    active: { text: () => _("active"), icon: "\u2714", cls: "ok" },
    expiring: { text: () => _("expiring"), icon: "\u26a0", cls: "warning" },
    grace: { text: () => _("grace period"), icon: "\u26a0", cls: "danger" },
    expired: { text: () => _("expired"), icon: "\u2716", cls: "danger" },
    "not-activated": { text: () => _("not activated"), icon: "\u25cb", cls: "muted" },
};

/* the D-Bus error names and their texts (common/imss-error.c; SPEC's exact
 * texts where the SPEC has one) */
const ERRORS = {
    InvalidCode: () => _("The activation code is invalid. Check the code and try again. If the problem persists, contact technical support."),
    UnknownSlot: () => _("Unknown license slot. Valid slots are cloud-prefilter, antivirus, antispam, email-reputation, email-encryption and compliance."),
    SlotDisabled: () => _("This license cannot be activated on this product edition."),
    ClickProtectionBound: () => _("Unable to update the activation code of the Time-of-Click protection service."),
    CodeMismatch: () => _("The license profile has a different activation code than the one registered. A license profile cannot replace the activation code; register the new code as a new activation."),
    ServerUnreachable: () => _("Unable to complete the update. Check the Internet connection and try again. If the problem persists, contact technical support."),
    NotAuthorized: () => _("You are not authorized to change the license."),
    NotSupported: () => _("This operation is not supported."),
    Busy: () => _("The license store is locked by another program (a backup, for example). Try again shortly."),
    InvalidArgs: () => _("Invalid arguments."),
    InvalidServerAnswer: () => _("The license server answered, but its answer is not valid. Nothing was changed. Check the license server URL and the proxy settings, and try again. If the problem persists, contact technical support."),
    Internal: () => _("An internal error occurred. See the system log of imss-licensed."),
};

const EVENT_KINDS = {
    check: () => _("automatic license check"),
    expiring: () => _("expiry notices begin (60 days left)"),
    grace: () => _("license expires; grace period begins"),
    expired: () => _("grace period ends; component updates restricted"),
};

const $ = id => document.getElementById(id);

const state = {
    client: null,
    manager: {},            // the manager's properties
    slots: {},              // slot id -> its properties
    today: null,            // the daemon's date (GetClock)
    canChange: false,
    historyOffset: 0,
    historyTotal: 0,
    activating: null,       // the slot of the open dialog
    midnight: null,
};

function slotName(id) {
    const entry = SLOTS.find(([slot]) => slot === id);
    return entry ? entry[1]() : id;
}

function slotPath(id) {
    return PATH + "/slot/" + id.replace(/-/g, "_");
}

function unpack(dict) {
    const out = {};
    for (const key in dict)
        out[key] = dict[key] && typeof dict[key] === "object" && "v" in dict[key] ? dict[key].v : dict[key];
    return out;
}

/* the text of a failed call: ours by error name, D-Bus's own otherwise */
function errorText(ex) {
    const name = ex && ex.name ? String(ex.name) : "";
    const ours = name.startsWith(BUS_NAME + ".Error.") ? ERRORS[name.slice(BUS_NAME.length + 7)] : null;
    if (ours)
        return ours();
    if (name === "org.freedesktop.DBus.Error.AccessDenied")
        return _("You are not authorized to change the license.");
    if (name === "org.freedesktop.DBus.Error.ServiceUnknown" || ex.problem === "not-found")
        return _("The license service (imss-licensed) is not running.");
    return ex && ex.message ? ex.message : String(ex);
}

function showError(ex) {
    const el = $("error");
    el.textContent = errorText(ex);
    el.hidden = false;
}

function clearError() {
    $("error").hidden = true;
    $("error").textContent = "";
}

/* days between two YYYY-MM-DD dates, as the daemon counts them */
function daysBetween(from, to) {
    const [a, b] = [from, to].map(d => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)));
    return Math.round((b - a) / 86400000);
}

function cell(row, text, cls) {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls)
        td.className = cls;
    row.appendChild(td);
    return td;
}

function header(rowId, titles) {
    const row = $(rowId);
    row.textContent = "";
    for (const title of titles) {
        const th = document.createElement("th");
        th.textContent = title;
        row.appendChild(th);
    }
}

function button(label, onClick, enabled, reason) {
    const b = document.createElement("button");
    b.className = "imss-button imss-small";
    b.textContent = label;
    b.disabled = !enabled;
    if (!enabled && reason)
        b.title = reason;
    b.addEventListener("click", onClick);
    return b;
}

function readOnlyReason() {
    return _("Changing licenses needs administrative access: log in as root or turn on administrative access.");
}

/* -- the status table ------------------------------------------------------- */

function renderSlots() {
    const body = $("slots-body");
    body.textContent = "";
    for (const [id] of SLOTS) {
        const p = state.slots[id];
        if (!p)
            continue;
        const row = document.createElement("tr");
        row.dataset.slot = id;
        row.dataset.state = p.State;
        cell(row, slotName(id), "imss-name");
        const st = STATES[p.State] || STATES["not-activated"];
        const stateCell = cell(row, "", "imss-state imss-" + st.cls);
        const icon = document.createElement("span");
        icon.className = "imss-icon";
        icon.setAttribute("aria-hidden", "true");
        icon.textContent = st.icon;
        stateCell.append(icon, " " + (p.Enabled === false ? _("not available in this edition") : st.text()));
        cell(row, p.ExpiryDate || "-");
        cell(row, p.GraceEndDate || "-");
        let left = "-";
        if (p.ExpiryDate && state.today) {
            const n = daysBetween(state.today, p.ExpiryDate);
            if (n >= 0)
                left = cockpit.format(_("$0 days"), n);
            else if (p.GraceEndDate && daysBetween(state.today, p.GraceEndDate) >= 0)
                left = cockpit.format(_("grace: $0 days"), daysBetween(state.today, p.GraceEndDate));
            else
                left = _("none");
        }
        cell(row, left, "imss-days");
        cell(row, p.ActivationCode || "-", "imss-code");
        const flags = [];
        if (p.ActivationCode && p.Offline)
            flags.push(_("offline code"));
        if (p.ActivationCode && !p.Offline && !p.ExpiryVerified)
            flags.push(_("expiry not verified"));
        if (p.ActivationCode && p.ExpiryVerified)
            flags.push(_("verified"));
        cell(row, flags.join(", "), "imss-flags");
        const actions = cell(row, "", "imss-actions");
        if (p.Enabled !== false) {
            actions.appendChild(button(_("Enter a new activation code"), () => openActivate(id),
                                       state.canChange, readOnlyReason()));
            actions.appendChild(button(_("Diagnose"), () => diagnose(id),
                                       state.canChange, readOnlyReason()));
        }
        body.appendChild(row);
    }
    $("page").dataset.state = "ready";
}

function renderSummary() {
    const m = state.manager;
    const parts = [];
    if (m.Edition)
        parts.push(m.Edition === "imss" ? _("InterScan Messaging Security Suite 9.1 for Linux") : _("InterScan Messaging Security Virtual Appliance 9.1"));
    if (m.NodeName)
        parts.push(cockpit.format(_("node $0"), m.NodeName));
    if (state.today)
        parts.push(cockpit.format(_("today $0"), state.today));
    $("summary").textContent = parts.join(" \u00b7 ");
    $("hide-inactive").checked = !!m.InactiveNoticesHidden;
}

async function loadSlots() {
    const [objects] = await state.client.call(PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", []);
    for (const path in objects) {
        const props = objects[path][SLOT_IFACE];
        if (props) {
            const p = unpack(props);
            state.slots[p.Id] = p;
        }
    }
    const [manager] = await state.client.call(PATH, "org.freedesktop.DBus.Properties", "GetAll", [IFACE]);
    state.manager = unpack(manager);
}

async function loadClock() {
    const [clock] = await state.client.call(PATH, IFACE, "GetClock", []);
    const c = unpack(clock);
    state.today = c.today;
    scheduleMidnight(c.now);
}

/* the days left change at the daemon's midnight: one timer, not a poll */
function scheduleMidnight(now) {
    if (state.midnight)
        window.clearTimeout(state.midnight);
    const t = new Date(now);
    if (isNaN(t))
        return;
    const next = new Date(t.getTime());
    next.setHours(24, 0, 5, 0);
    state.midnight = window.setTimeout(() => refresh(), Math.max(next - t, 1000));
}

/* -- notices ------------------------------------------------------------------ */

async function loadNotices() {
    const [notices] = await state.client.call(PATH, IFACE, "GetNotices", [cockpit.language || "en"]);
    const box = $("notices");
    box.textContent = "";
    let inactive = false;
    for (const raw of notices) {
        const n = unpack(raw);
        const div = document.createElement("div");
        div.className = "imss-alert imss-alert-" + (n.severity || "info");
        div.dataset.slot = n.slot;
        div.dataset.kind = n.kind;
        div.setAttribute("role", n.severity === "critical" ? "alert" : "status");
        const icon = document.createElement("span");
        icon.className = "imss-icon";
        icon.setAttribute("aria-hidden", "true");
        icon.textContent = n.severity === "info" ? "\u2139" : "\u26a0";
        const text = document.createElement("span");
        text.className = "imss-alert-text";
        text.textContent = n.text;
        div.append(icon, text);
        box.appendChild(div);
        inactive = inactive || n.kind === "inactive";
    }
    $("hide-inactive").disabled = !state.canChange;
    $("hide-inactive").title = state.canChange ? "" : readOnlyReason();
    return inactive;
}

async function setInactiveHidden(hidden) {
    clearError();
    try {
        await state.client.call(PATH, IFACE, "SetInactiveNoticesHidden", [hidden]);
    } catch (ex) {
        $("hide-inactive").checked = !hidden;
        showError(ex);
    }
}

/* -- update, activation, diagnosis ------------------------------------------- */

async function updateNow() {
    clearError();
    const result = $("update-result");
    result.textContent = _("Asking the license server\u2026");
    result.className = "imss-result";
    $("update-now").disabled = true;
    try {
        const [outcome] = await state.client.call(PATH, IFACE, "UpdateStatus", [], { timeout: 120000 });
        result.textContent = outcome === "updated" ? _("The license was updated successfully.") : _("No update is necessary.");
        result.className = "imss-result imss-ok";
    } catch (ex) {
        result.textContent = errorText(ex);
        result.className = "imss-result imss-danger";
    } finally {
        $("update-now").disabled = !state.canChange;
    }
}

function openActivate(id) {
    state.activating = id;
    $("activate-title").textContent = cockpit.format(_("Enter a new activation code for $0"), slotName(id));
    $("activate-help").textContent = id === "antispam" ? _("The same code also activates Email Reputation and IP Profiler.") : "";
    $("activate-code").value = "";
    $("activate-error").textContent = "";
    $("activate-dialog").showModal();
    $("activate-code").focus();
}

function closeActivate() {
    $("activate-code").value = "";
    $("activate-error").textContent = "";
    state.activating = null;
    if ($("activate-dialog").open)
        $("activate-dialog").close();
}

async function submitActivate(event) {
    event.preventDefault();
    const input = $("activate-code");
    const code = input.value.trim().toUpperCase();
    if (!code || code.length > CODE_MAX) {
        $("activate-error").textContent = ERRORS.InvalidCode();
        return;
    }
    $("activate-submit").disabled = true;
    try {
        await state.client.call(PATH, IFACE, "Activate", [state.activating, code], { timeout: 120000 });
        closeActivate();
    } catch (ex) {
        $("activate-error").textContent = errorText(ex);
    } finally {
        $("activate-submit").disabled = false;
    }
}

async function diagnose(id) {
    clearError();
    const box = $("diagnosis");
    $("diagnosis-title").textContent = cockpit.format(_("Diagnosis of $0"), slotName(id));
    $("diagnosis-findings").textContent = "";
    $("diagnosis-action").textContent = _("Asking the license server\u2026");
    box.hidden = false;
    box.dataset.slot = id;
    try {
        const [diagnosis] = await state.client.call(PATH, IFACE, "Diagnose", [id, cockpit.language || "en"], { timeout: 120000 });
        const d = unpack(diagnosis);
        for (const finding of d.findings || []) {
            const li = document.createElement("li");
            li.textContent = finding;
            $("diagnosis-findings").appendChild(li);
        }
        $("diagnosis-action").textContent = d.action || "";
    } catch (ex) {
        $("diagnosis-action").textContent = errorText(ex);
    }
}

/* -- the operator's settings ---------------------------------------------------- */

/* the form shows what is in effect; a field the operator leaves as it was is
 * not sent (so a value from the configuration file is not copied into the
 * store); the password is sent only when typed */
const SETTING_FIELDS = [
    ["mail-to", "set-mail-to", v => (v || []).join(", "), t => ["as", t.split(/[\s,;]+/).filter(a => a)]],
    ["mail-smtp", "set-mail-smtp", v => v || "", t => ["s", t.trim()]],
    ["mail-language", "set-mail-language", v => v || "ja", t => ["s", t]],
    ["proxy-host", "set-proxy-host", v => v || "", t => ["s", t.trim()]],
    ["proxy-port", "set-proxy-port", v => String(v || 8080), t => ["u", parseInt(t, 10) || 0]],
    ["proxy-user", "set-proxy-user", v => v || "", t => ["s", t.trim()]],
];

function renderSettings() {
    const s = unpack(state.manager.Settings || {});
    state.settingsShown = {};
    for (const [name, id, show] of SETTING_FIELDS) {
        const el = $(id);
        if (document.activeElement !== el)
            el.value = show(s[name]);
        state.settingsShown[name] = el.value;
        el.disabled = !state.canChange;
    }
    $("set-proxy-password").value = "";
    $("set-proxy-password").placeholder = s["proxy-password-set"] ? _("(set; type to replace)") : "";
    $("set-proxy-password").disabled = !state.canChange;
    $("settings-save").disabled = !state.canChange;
    $("settings-test-mail").disabled = !state.canChange;
    if (!state.canChange) {
        $("settings-save").title = readOnlyReason();
        $("settings-test-mail").title = readOnlyReason();
    }
}

async function saveSettings(event) {
    event.preventDefault();
    clearError();
    const changes = {};
    for (const [name, id, , parse] of SETTING_FIELDS) {
        if ($(id).value !== state.settingsShown[name]) {
            const [type, value] = parse($(id).value);
            changes[name] = cockpit.variant(type, value);
        }
    }
    if ($("set-proxy-password").value)
        changes["proxy-password"] = cockpit.variant("s", $("set-proxy-password").value);
    const result = $("settings-result");
    try {
        await state.client.call(PATH, IFACE, "SetSettings", [changes, []]);
        $("set-proxy-password").value = "";
        result.textContent = _("The settings were saved.");
        result.className = "imss-result imss-ok";
    } catch (ex) {
        result.textContent = errorText(ex) + (ex.message && ex.name && ex.name.endsWith("InvalidArgs") ? " (" + ex.message + ")" : "");
        result.className = "imss-result imss-danger";
    }
}

async function testMail() {
    const result = $("settings-result");
    result.textContent = _("Sending a test mail\u2026");
    result.className = "imss-result";
    try {
        const [sent] = await state.client.call(PATH, IFACE, "TestMail", [], { timeout: 120000 });
        result.textContent = cockpit.format(_("Test mail: $0"), sent);
        result.className = "imss-result imss-ok";
    } catch (ex) {
        result.textContent = ex.message || errorText(ex);
        result.className = "imss-result imss-danger";
    }
}

/* -- calendar and history ------------------------------------------------------ */

async function loadEvents() {
    const [events] = await state.client.call(PATH, IFACE, "ListEvents", [90]);
    const body = $("events-body");
    body.textContent = "";
    for (const raw of events.slice(0, 50)) {
        const e = unpack(raw);
        const row = document.createElement("tr");
        cell(row, e.date);
        cell(row, slotName(e.slot));
        cell(row, EVENT_KINDS[e.kind] ? EVENT_KINDS[e.kind]() : e.kind);
        cell(row, e.offset);
        body.appendChild(row);
    }
    $("events-empty").hidden = events.length > 0;
    $("events").hidden = events.length === 0;
}

async function loadHistory() {
    const [entries, total] = await state.client.call(PATH, IFACE, "GetHistoryPage", [state.historyOffset, HISTORY_PAGE]);
    state.historyTotal = total;
    const body = $("history-body");
    body.textContent = "";
    for (const raw of entries) {
        const h = unpack(raw);
        const row = document.createElement("tr");
        cell(row, h.time);
        cell(row, h.action);
        cell(row, h.slot ? slotName(h.slot) : "");
        cell(row, h.code || "", "imss-code");
        cell(row, h.caller || "");
        cell(row, h.outcome || "");
        cell(row, h.detail || "");
        body.appendChild(row);
    }
    const first = entries.length ? state.historyOffset + 1 : 0;
    $("history-range").textContent = cockpit.format(_("$0\u2013$1 of $2"), first, state.historyOffset + entries.length, total);
    $("history-newer").disabled = state.historyOffset === 0;
    $("history-older").disabled = state.historyOffset + entries.length >= total;
}

/* -- putting it together ------------------------------------------------------- */

let refreshing = null;
let again = false;

/* everything is read again after a change (signals); a refresh asked for
 * while one runs runs once after it */
async function refresh() {
    if (refreshing) {
        again = true;
        return refreshing;
    }
    refreshing = (async () => {
        try {
            await loadClock();
            await loadSlots();
            renderSummary();
            renderSlots();
            renderSettings();
            await loadNotices();
            await loadEvents();
            await loadHistory();
            clearError();
        } catch (ex) {
            showError(ex);
        }
    })();
    await refreshing;
    refreshing = null;
    if (again) {
        again = false;
        await refresh();
    }
}

async function privileges() {
    try {
        const user = await cockpit.user();
        if (user.id === 0)
            return true;
    } catch (ex) {
        /* unknown: the calls will tell */
    }
    try {
        const internal = cockpit.dbus(null, { bus: "internal" });
        const superuser = internal.proxy("cockpit.Superuser", "/superuser");
        await superuser.wait();
        return superuser.Current === "root";
    } catch (ex) {
        return false;
    }
}

function translateStatic() {
    cockpit.translate();
    document.title = _("Licenses");
    $("title").textContent = _("Licenses");
    $("hide-inactive-label").textContent = _("Hide notices for inactive components");
    $("status-title").textContent = _("License status");
    $("update-now").textContent = _("Update now");
    $("calendar-title").textContent = _("Upcoming checks and notices");
    $("settings-title").textContent = _("Expiry mails and proxy");
    $("set-mail-to-label").textContent = _("Recipients of the expiry mails");
    $("set-mail-smtp-label").textContent = _("SMTP server");
    $("set-mail-language-label").textContent = _("Language of the mails");
    $("set-proxy-host-label").textContent = _("Proxy host (empty: direct)");
    $("set-proxy-port-label").textContent = _("Proxy port");
    $("set-proxy-user-label").textContent = _("Proxy user");
    $("set-proxy-password-label").textContent = _("Proxy password");
    $("settings-save").textContent = _("Save");
    $("settings-test-mail").textContent = _("Send a test mail");
    $("events-empty").textContent = _("Nothing is scheduled: no license is activated.");
    $("history-title").textContent = _("History");
    $("history-newer").textContent = _("Newer");
    $("history-older").textContent = _("Older");
    $("diagnosis-close").textContent = _("Close");
    $("activate-code-label").textContent = _("Activation code");
    $("activate-submit").textContent = _("Activate");
    $("activate-cancel").textContent = _("Cancel");
    header("slots-head", [_("License"), _("State"), _("Expiry"), _("Grace end"), _("Days left"), _("Code"), "", ""]);
    header("events-head", [_("Date"), _("License"), _("Event"), _("Relative to expiry")]);
    header("history-head", [_("Time"), _("Action"), _("License"), _("Code"), _("By"), _("Outcome"), _("Detail")]);
}

async function main() {
    translateStatic();
    state.client = cockpit.dbus(BUS_NAME, { bus: "system", superuser: "try" });
    state.canChange = await privileges();
    $("update-now").disabled = !state.canChange;
    if (!state.canChange) {
        $("update-now").title = readOnlyReason();
        $("readonly").textContent = _("Read only: ") + readOnlyReason();
        $("readonly").hidden = false;
    }
    $("update-now").addEventListener("click", updateNow);
    $("settings-form").addEventListener("submit", saveSettings);
    $("settings-test-mail").addEventListener("click", testMail);
    $("hide-inactive").addEventListener("change", e => setInactiveHidden(e.target.checked));
    $("activate-form").addEventListener("submit", submitActivate);
    $("activate-cancel").addEventListener("click", e => { e.preventDefault(); closeActivate() });
    $("activate-dialog").addEventListener("close", () => { $("activate-code").value = "" });
    $("diagnosis-close").addEventListener("click", () => { $("diagnosis").hidden = true });
    $("history-newer").addEventListener("click", () => {
        state.historyOffset = Math.max(0, state.historyOffset - HISTORY_PAGE);
        loadHistory().catch(showError);
    });
    $("history-older").addEventListener("click", () => {
        state.historyOffset += HISTORY_PAGE;
        loadHistory().catch(showError);
    });
    /* live: a slot's or the manager's properties, and the service's signals */
    state.client.subscribe({ interface: "org.freedesktop.DBus.Properties", member: "PropertiesChanged", path_namespace: PATH }, () => refresh());
    for (const member of ["StateChanged", "LicenseChanged", "Notice", "UpdatesAllowedChanged"])
        state.client.subscribe({ interface: IFACE, member, path: PATH }, () => refresh());
    state.client.addEventListener("close", (_event, options) => showError({ problem: options.problem, message: options.problem }));
    await refresh();
}

if (document.readyState === "loading")
    document.addEventListener("DOMContentLoaded", main);
else
    main();
