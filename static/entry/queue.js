// The send queue: completed questionnaires wait in IndexedDB and leave it only when the
// server answered 200 or 201. A 400 is never retried: the questionnaire stays, flagged
// "à corriger" with the server's messages, until someone fixes it and sends it again under
// the same uuid. A refused session (403, redirect to the login page) keeps everything and
// asks to log in again; a network error or a 5xx is retried with a growing delay.

import { t } from "./messages.js";
import { QUEUE, csrfToken, deviceId, idb } from "./store.js";

const RETRY_EVERY = 15_000; // ms between two looks at the queue
const BACKOFF_FIRST = 5_000;
const BACKOFF_MAX = 5 * 60_000;
const REPORT_EVERY = 60_000;

export const PENDING = "pending";
export const INVALID = "invalid";

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
    await idb.put(QUEUE, {
      uuid: payload.uuid,
      user: this.user,
      payload,
      status: PENDING,
      errors: null,
      attempts: 0,
      nextTry: 0,
      queuedAt: previous ? previous.queuedAt : new Date().toISOString(),
    });
    this.changed();
  }

  async remove(uuid) {
    await idb.delete(QUEUE, uuid);
    this.changed();
  }

  async summary() {
    const items = await this.items();
    const mine = items.filter((item) => item.user === this.user);
    const dates = items.map((item) => item.queuedAt).sort();
    const retries = mine.filter((item) => item.status === PENDING && item.nextTry > Date.now());
    return {
      total: items.length,
      mine: mine.length,
      others: items.length - mine.length,
      invalid: mine.filter((item) => item.status === INVALID),
      oldest: dates[0] || null,
      nextTry: retries.length ? Math.min(...retries.map((item) => item.nextTry)) : null,
      authRequired: this.authRequired,
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
      .filter((item) => item.user === this.user && item.status === PENDING && item.nextTry > now)
      .map((item) => item.nextTry);
    if (waiting.length) {
      this.wakeTimer = setTimeout(() => this.flush(), Math.min(...waiting) - now);
    }
  }

  async sendDue(force) {
    const now = Date.now();
    const due = (await this.items())
      .filter((item) => item.user === this.user && item.status === PENDING)
      .filter((item) => force || !item.nextTry || item.nextTry <= now)
      .sort((a, b) => (a.queuedAt < b.queuedAt ? -1 : 1));
    for (const item of due) {
      const outcome = await this.send(item.payload);
      if (outcome.kind === "stored") {
        await idb.delete(QUEUE, item.uuid);
        this.authRequired = false;
        this.dispatchEvent(
          new CustomEvent("sent", { detail: { uuid: item.uuid, created: outcome.created } }),
        );
      } else if (outcome.kind === "invalid") {
        this.authRequired = false;
        await idb.put(QUEUE, { ...item, status: INVALID, errors: outcome.errors });
        this.dispatchEvent(new CustomEvent("invalid", { detail: { uuid: item.uuid } }));
      } else if (outcome.kind === "auth") {
        this.authRequired = true;
        return; // every other questionnaire would be refused the same way
      } else {
        // A forced send (the network is back, or the user asked) that fails starts the
        // delays over: the next try comes in seconds, not after the minutes reached offline.
        const attempts = force ? 1 : (item.attempts || 0) + 1;
        await idb.put(QUEUE, { ...item, attempts, nextTry: Date.now() + backoff(attempts) });
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
    const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
    if (response.type === "opaqueredirect" || [401, 403].includes(response.status)) {
      return { kind: "auth" };
    }
    if (response.status === 200 || response.status === 201) {
      if (!isJson) return { kind: "auth" }; // a login page served in place of the API
      const body = await response.json().catch(() => ({}));
      return { kind: "stored", created: body.created !== false };
    }
    if (response.status === 400) {
      const body = isJson ? await response.json().catch(() => null) : null;
      return { kind: "invalid", errors: (body && body.errors) || { __all__: [t("unreadable")] } };
    }
    if (response.status === 404) {
      return { kind: "invalid", errors: { __all__: [t("not_found")] } };
    }
    return { kind: "server" };
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

  /** Download every waiting questionnaire as a JSON file (they stay in the queue). */
  async exportFile() {
    const items = await this.items();
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
        user: item.user,
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
      await this.add(payload);
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
