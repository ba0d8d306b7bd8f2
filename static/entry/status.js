// The queue panel (templates/survey/entry/_queue.html) and the "saisis aujourd'hui" count,
// kept up to date from the queue's events.

import { formatDateTime, t, tn } from "./messages.js";
import { correctable } from "./queue.js";
import { DRAFTS, idb, urlFor } from "./store.js";

/** The URL that reopens a refused questionnaire, in the mode it was entered in. */
export function correctionUrl(root, item) {
  const pattern = item.payload.mode === "paper" ? root.dataset.paperUrl : root.dataset.formUrl;
  return `${urlFor(pattern, item.payload.questionnaire)}?corriger=${encodeURIComponent(item.uuid)}`;
}

export function formatTime(when) {
  return new Date(when).toLocaleTimeString(document.documentElement.lang || "fr", {
    timeStyle: "short",
  });
}

function button(label, className, onClick) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = `fr-btn fr-btn--sm ${className}`;
  node.textContent = label;
  node.addEventListener("click", onClick);
  return node;
}

/** Delete a refused questionnaire for good, once the user confirmed (true if deleted). */
export async function discardRefused(queue, uuid) {
  if (!window.confirm(t("confirm_delete_invalid"))) return false;
  await queue.remove(uuid);
  await idb.delete(DRAFTS, uuid).catch(() => {});
  return true;
}

/** What the server said of a refused questionnaire, and what can be done with it: fix it
 * in the form (when the server named a question), save it to a file, delete it. `after` is
 * called once it was deleted. */
export function refusedDetails(root, queue, item, { after = () => {} } = {}) {
  const box = document.createDocumentFragment();
  const reasons = document.createElement("ul");
  reasons.className = "app-queue__reasons";
  reasons.dataset.refusedReasons = "";
  for (const messages of Object.values(item.errors || {})) {
    for (const message of [].concat(messages)) {
      const li = document.createElement("li");
      li.textContent = String(message);
      reasons.append(li);
    }
  }
  const actions = document.createElement("p");
  actions.className = "app-queue__actions";
  if (correctable(item)) {
    const link = document.createElement("a");
    link.className = "fr-btn fr-btn--sm fr-btn--secondary fr-icon-edit-line fr-btn--icon-left";
    link.href = correctionUrl(root, item);
    link.textContent = t("fix");
    actions.append(link);
  }
  actions.append(
    button(t("export_one"), "fr-btn--tertiary fr-icon-download-line fr-btn--icon-left", () =>
      queue.exportFile([item.uuid]),
    ),
    button(t("discard_invalid"), "fr-btn--tertiary-no-outline fr-icon-delete-line fr-btn--icon-left", async () => {
      if (await discardRefused(queue, item.uuid)) after();
    }),
  );
  box.append(reasons, actions);
  return box;
}

export function mountQueueStatus(root, queue) {
  const panel = root.querySelector("[data-queue]");
  const today = root.querySelectorAll("[data-today-count]");
  let serverToday = Number(root.dataset.today || 0);
  let localPending = 0;

  const showToday = () => {
    for (const node of today) node.textContent = String(serverToday + localPending);
  };

  queue.addEventListener("today", (event) => {
    serverToday = Number(event.detail.count) || 0;
    showToday();
  });
  queue.addEventListener("sent", (event) => {
    if (event.detail.created) serverToday += 1;
  });

  queue.addEventListener("change", (event) => {
    const summary = event.detail;
    localPending = summary.mine;
    showToday();
    if (!panel) return;
    const $ = (selector) => panel.querySelector(selector);
    $("[data-queue-auth]").hidden = !(summary.authRequired && summary.mine);
    $("[data-queue-offline]").hidden = !(summary.offline && summary.total);
    const other = $("[data-queue-other-session]");
    other.hidden = !(summary.otherSession && summary.mine);
    other.querySelector("p").textContent = t("other_session", {
      user: summary.otherSession,
      owner: queue.user,
    });

    const waiting = summary.total - summary.invalid.length;
    $("[data-queue-pending]").hidden = summary.total === 0;
    $("[data-queue-count]").hidden = waiting === 0;
    $("[data-queue-count]").textContent =
      waiting === 1 ? t("pending_one") : t("pending_many", { n: waiting });
    const details = [];
    if (summary.others) {
      details.push(tn("others_pending", summary.others, { names: summary.owners.join(", ") }));
    }
    if (summary.nextTry && !summary.offline && !summary.authRequired && !summary.otherSession) {
      const time = formatTime(summary.nextTry);
      if (summary.serverDown) {
        details.push(t("server_down", { status: summary.serverDown.status || "?", time }));
      } else if (summary.unreachable) {
        details.push(t("server_unreachable", { time }));
      } else {
        details.push(t("next_try", { time }));
      }
    }
    $("[data-queue-detail]").textContent = details.join(" ");

    // A 5xx that keeps coming back is said out loud, not retried silently for days.
    const stuck = summary.stuck;
    $("[data-queue-stuck]").hidden = stuck.length === 0;
    if (stuck.length) {
      const since = stuck.map((item) => item.failure.since).sort()[0];
      $("[data-queue-stuck-text]").textContent = t(stuck.length === 1 ? "stuck_one" : "stuck_many", {
        n: stuck.length,
        since: formatDateTime(since),
        status: stuck[0].failure.status || "?",
      });
    }

    const invalid = summary.invalid;
    $("[data-queue-invalid]").hidden = invalid.length === 0;
    $("[data-queue-invalid-count]").textContent =
      invalid.length === 1 ? t("invalid_one") : t("invalid_many", { n: invalid.length });
    const list = $("[data-queue-invalid-list]");
    list.replaceChildren(
      ...invalid.map((item) => {
        const li = document.createElement("li");
        li.dataset.refused = item.uuid;
        const label = document.createElement("p");
        label.className = "fr-mb-0";
        label.textContent = t("invalid_item", {
          date: formatDateTime(item.payload.started_at || item.queuedAt),
        });
        li.append(label, refusedDetails(root, queue, item));
        return li;
      }),
    );
  });

  if (!panel) return;
  const send = panel.querySelector("[data-queue-send]");
  if (send) send.addEventListener("click", () => queue.flush({ force: true }));
  for (const exporter of panel.querySelectorAll("[data-queue-export]")) {
    exporter.addEventListener("click", async () => {
      if (!(await queue.exportFile())) window.alert(t("export_empty"));
    });
  }
}

/** The file input that takes an exported file back into the queue (entry page). */
export function mountImport(root, queue) {
  const input = root.querySelector("[data-queue-import]");
  const result = root.querySelector("[data-queue-import-result]");
  if (!input) return;
  input.addEventListener("change", async () => {
    const [file] = input.files;
    if (!file) return;
    try {
      result.textContent = tn("imported", await queue.importFile(file));
    } catch {
      result.textContent = t("import_error");
    }
    input.value = "";
  });
}
