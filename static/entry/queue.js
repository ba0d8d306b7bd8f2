// The send queue: completed questionnaires wait in IndexedDB and leave it only when the
// server answered 200 or 201. A 4xx refusal is never retried: the questionnaire stays,
// flagged "à corriger" with the server's messages, until someone fixes it and sends it again
// under the same uuid, saves it to a file or deletes it. A refused session (403, redirect to
// the login page) keeps everything and asks to log in again; a network error or a 5xx is
// retried with a growing delay, and a 5xx that keeps coming back is shown (STUCK_AFTER).
//
// Each questionnaire belongs to the account it was entered under (`interviewer` in the
// payload, which the server checks against the session): a tablet passed from one trainee to
// the next sends each one's questionnaires only under their own session; the server answers
// 409 (code "other_interviewer") to one sent under another session, and it waits here for
// its owner.

import { t } from "./messages.js";
import { QUEUE, csrfToken, deviceId, idb } from "./store.js";

const RETRY_EVERY = 15_000; // ms between two looks at the queue
const BACKOFF_FIRST = 5_000;
const BACKOFF_MAX = 5 * 60_000;
const REPORT_EVERY = 60_000;
// After this many 5xx answers in a row for one questionnaire, the page says so loudly.
export const STUCK_AFTER = 3;
// Statuses that mean "try again later" rather than "this questionnaire is refused".
const RETRY_LATER = new Set([408, 425, 429]);
const OTHER_INTERVIEWER = "other_interviewer";

export const PENDING = "pending";
export const INVALID = "invalid";

/** The account a questionnaire was entered under: the one its payload declares, else (a
 * questionnaire queued before payloads declared one) the one that queued it. */
export function ownerOf(item) {
  return (item.payload && item.payload.interviewer) || item.user;
}

/** Whether a refused questionnaire can be fixed in the form: the server named a question
 * (or a field), not only the questionnaire as a whole (campaign closed, unknown site…). */
export function correctable(item) {
  return Object.keys(item.errors || {}).some((key) => key !== "__all__");
}

/** The failure an item carries after one more failed send: its kind, the last 5xx status,
 * since when it keeps failing that way and how many times in a row. */
function failed(previous, outcome) {
  const now = new Date().toISOString();
  const same = previous && previous.kind === outcome.kind;
  return {
    kind: outcome.kind,
    status: outcome.status || null,
    since: same ? previous.since : now,
    at: now,
    count: same ? previous.count + 1 : 1,
  };
}

function backoff(attempts) {
  const delay = Math.min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** Math.max(0, attempts - 1));
  return delay * (0.8 + Math.random() * 0.4);
}

export class Queue extends EventTarget {
  constructor({ submitUrl, reportUrl, user }) {
    super();
    this.submitUrl = submitUrl;
    this.reportUrl = reportUrl;
    this.user = user;
    this.authRequired = false;
    this.otherSession = null; // the account whose session the server saw, when not ours
    this.flushing = null;
    this.forcedAgain = false;
    this.wakeTimer = null;
    this.lastReport = { at: 0, pending: -1 };
  }

  items() {
    return idb.all(QUEUE);
  }

  get(uuid) {
    return idb.get(QUEUE, uuid);
  }

  /** Put a completed questionnaire in the queue (or replace a corrected one). */
  async add(payload) {
    const previous = await this.get(payload.uuid);
    const interviewer = payload.interviewer || (previous && ownerOf(previous)) || this.user;
    await idb.put(QUEUE, {
      uuid: payload.uuid,
      user: interviewer,
      payload: { ...payload, interviewer },
      status: PENDING,
      errors: null,
      attempts: 0,
      nextTry: 0,
      failure: null,
      queuedAt: previous ? previous.queuedAt : new Date().toISOString(),
    });
    this.changed();
  }

  async remove(uuid) {
    await idb.delete(QUEUE, uuid);
    this.changed();
  }

  isMine(item) {
    return ownerOf(item) === this.user;
  }

  async summary() {
    const items = await this.items();
    const mine = items.filter((item) => this.isMine(item));
    const others = items.filter((item) => !this.isMine(item));
    const dates = items.map((item) => item.queuedAt).sort();
    const waiting = mine.filter((item) => item.status === PENDING);
    const retries = waiting.filter((item) => item.nextTry > Date.now());
    const failing = (kind) => waiting.filter((item) => item.failure && item.failure.kind === kind);
    const serverDown = failing("server").sort((a, b) => (a.failure.at < b.failure.at ? 1 : -1));
    return {
      total: items.length,
      mine: mine.length,
      others: others.length,
      owners: [...new Set(others.map(ownerOf))].sort(),
      invalid: mine.filter((item) => item.status === INVALID),
      oldest: dates[0] || null,
      nextTry: retries.length ? Math.min(...retries.map((item) => item.nextTry)) : null,
      // The last 5xx seen, and the questionnaires that keep getting one.
      serverDown: serverDown.length ? serverDown[0].failure : null,
      stuck: serverDown.filter((item) => item.failure.count >= STUCK_AFTER),
      unreachable: failing("network").length > 0,
      authRequired: this.authRequired,
      otherSession: this.otherSession,
      offline: !navigator.onLine,
    };
  }

  changed() {
    this.summary().then((summary) => {
      this.dispatchEvent(new CustomEvent("change", { detail: summary }));
    });
  }

  /** Send what is due; `force` ignores the waiting delays (network back, button). A forced
   * flush asked while another flush runs (which may have found the network still down, or
   * skipped what was not due) runs again as soon as that one ends. */
  flush({ force = false } = {}) {
    if (this.flushing) {
      if (force) this.forcedAgain = true;
      return this.flushing;
    }
    const work = () => this.sendDue(force);
    const locked =
      navigator.locks && navigator.locks.request
        ? navigator.locks.request("qualiprefs-entry-queue", { ifAvailable: true }, (lock) =>
            lock ? work() : null,
          )
        : work();
    this.flushing = Promise.resolve(locked)
      .catch((error) => console.warn("Envoi interrompu", error))
      .finally(() => {
        this.flushing = null;
        this.changed();
        this.report();
        if (this.forcedAgain) {
          this.forcedAgain = false;
          this.flush({ force: true });
        } else {
          this.wakeWhenDue();
        }
      });
    return this.flushing;
  }

  /** Flush again when the first waiting questionnaire is due, rather than at the next
   * regular look (every RETRY_EVERY): a retry comes when the status says it will. */
  async wakeWhenDue() {
    clearTimeout(this.wakeTimer);
    const now = Date.now();
    const waiting = (await this.items())
      .filter((item) => this.isMine(item) && item.status === PENDING && item.nextTry > now)
      .map((item) => item.nextTry);
    if (waiting.length) {
      this.wakeTimer = setTimeout(() => this.flush(), Math.min(...waiting) - now);
    }
  }

  async sendDue(force) {
    const now = Date.now();
    const due = (await this.items())
      .filter((item) => this.isMine(item) && item.status === PENDING)
      .filter((item) => force || !item.nextTry || item.nextTry <= now)
      .sort((a, b) => (a.queuedAt < b.queuedAt ? -1 : 1));
    for (const item of due) {
      // A questionnaire queued before payloads declared their interviewer declares its owner.
      const outcome = await this.send({ ...item.payload, interviewer: ownerOf(item) });
      if (outcome.kind === "auth") {
        this.authRequired = true;
        return; // every other questionnaire would be refused the same way
      }
      if (outcome.kind === "other") {
        // The session is another account's (another tab logged in): keep it for its owner.
        this.authRequired = false;
        this.otherSession = outcome.sessionUser || "?";
        return;
      }
      this.authRequired = false;
      this.otherSession = null;
      if (outcome.kind === "stored") {
        await idb.delete(QUEUE, item.uuid);
        this.dispatchEvent(
          new CustomEvent("sent", { detail: { uuid: item.uuid, created: outcome.created } }),
        );
      } else if (outcome.kind === "invalid") {
        await idb.put(QUEUE, { ...item, status: INVALID, errors: outcome.errors, failure: null });
        this.dispatchEvent(new CustomEvent("invalid", { detail: { uuid: item.uuid } }));
      } else {
        // A forced send (the network is back, or the user asked) that fails starts the
        // delays over: the next try comes in seconds, not after the minutes reached offline.
        const attempts = force ? 1 : (item.attempts || 0) + 1;
        const failure = failed(item.failure, outcome);
        await idb.put(QUEUE, { ...item, attempts, failure, nextTry: Date.now() + backoff(attempts) });
        if (outcome.kind === "network") return; // no network: the rest would fail too
      }
      this.changed();
    }
  }

  async send(payload) {
    let response;
    try {
      response = await fetch(this.submitUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        cache: "no-store",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify(payload),
      });
    } catch {
      return { kind: "network" };
    }
    const { status } = response;
    const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
    if (response.type === "opaqueredirect" || [401, 403].includes(status)) {
      return { kind: "auth" };
    }
    if (status === 200 || status === 201) {
      if (!isJson) return { kind: "auth" }; // a login page served in place of the API
      const body = await response.json().catch(() => ({}));
      return { kind: "stored", created: body.created !== false };
    }
    if (status >= 400 && status < 500 && !RETRY_LATER.has(status)) {
      const body = isJson ? await response.json().catch(() => null) : null;
      if (status === 409 && body && body.code === OTHER_INTERVIEWER) {
        return { kind: "other", sessionUser: body.session_user };
      }
      let errors = body && body.errors && typeof body.errors === "object" ? body.errors : null;
      if (!errors) {
        const message =
          status === 404 ? t("not_found") : status === 400 ? t("unreadable") : t("refused_status", { status });
        errors = { __all__: [message] };
      }
      return { kind: "invalid", errors };
    }
    return { kind: "server", status };
  }

  /** Tell the server how many questionnaires this device holds; it answers today's count. */
  async report({ force = false } = {}) {
    if (!this.reportUrl || !navigator.onLine) return;
    const items = await this.items();
    const dates = items.map((item) => item.queuedAt).sort();
    const now = Date.now();
    if (!force && items.length === this.lastReport.pending && now - this.lastReport.at < REPORT_EVERY) {
      return;
    }
    this.lastReport = { at: now, pending: items.length };
    try {
      const response = await fetch(this.reportUrl, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        cache: "no-store",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ device_id: deviceId(), pending: items.length, oldest: dates[0] || null }),
      });
      if (response.ok && (response.headers.get("Content-Type") || "").includes("application/json")) {
        const body = await response.json();
        this.dispatchEvent(new CustomEvent("today", { detail: { count: body.today } }));
      }
    } catch {
      // the report is a courtesy: the next one will tell
    }
  }

  /** Send now and then on every return of the network, and every few seconds. */
  start() {
    window.addEventListener("online", () => this.flush({ force: true }));
    window.addEventListener("offline", () => this.changed());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.flush();
    });
    setInterval(() => this.flush(), RETRY_EVERY);
    this.changed();
    this.flush({ force: true });
    this.report({ force: true });
  }

  /** Download every waiting questionnaire (or only `uuids`) as a JSON file (they stay in
   * the queue). */
  async exportFile(uuids = null) {
    const items = (await this.items()).filter((item) => !uuids || uuids.includes(item.uuid));
    if (!items.length) return false;
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
    const data = {
      format: "qualiprefs-questionnaires-en-attente",
      version: 1,
      exported_at: new Date().toISOString(),
      device_id: deviceId(),
      items: items.map((item) => ({
        user: ownerOf(item),
        status: item.status,
        errors: item.errors,
        queued_at: item.queuedAt,
        payload: item.payload,
      })),
    };
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${t("export_file")}-${deviceId().slice(0, 8)}-${stamp}.json`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    return true;
  }

  /** Take the questionnaires of an exported file into this device's queue. */
  async importFile(file) {
    const data = JSON.parse(await file.text());
    if (!data || data.format !== "qualiprefs-questionnaires-en-attente" || !Array.isArray(data.items)) {
      throw new Error("format");
    }
    let added = 0;
    for (const entry of data.items) {
      const payload = entry && entry.payload;
      if (!payload || typeof payload.uuid !== "string" || (await this.get(payload.uuid))) continue;
      // Each keeps the account it was entered under (the file's, else the importer's).
      const interviewer = payload.interviewer || (typeof entry.user === "string" && entry.user) || this.user;
      await this.add({ ...payload, interviewer });
      added += 1;
    }
    this.flush({ force: true });
    return added;
  }
}

export function queueFrom(root) {
  return new Queue({
    submitUrl: root.dataset.submitUrl,
    reportUrl: root.dataset.reportUrl,
    user: root.dataset.user,
  });
}
