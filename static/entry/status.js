// The queue panel (templates/survey/entry/_queue.html) and the "saisis aujourd'hui" count,
// kept up to date from the queue's events.

import { formatDateTime, t } from "./messages.js";
import { urlFor } from "./store.js";

/** The URL that reopens a refused questionnaire, in the mode it was entered in. */
export function correctionUrl(root, item) {
  const pattern = item.payload.mode === "paper" ? root.dataset.paperUrl : root.dataset.formUrl;
  return `${urlFor(pattern, item.payload.questionnaire)}?corriger=${encodeURIComponent(item.uuid)}`;
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

    const waiting = summary.total - summary.invalid.length;
    $("[data-queue-pending]").hidden = summary.total === 0;
    $("[data-queue-count]").hidden = waiting === 0;
    $("[data-queue-count]").textContent =
      waiting === 1 ? t("pending_one") : t("pending_many", { n: waiting });
    const details = [];
    if (summary.others) details.push(t("others_pending", { n: summary.others }));
    if (summary.nextTry && !summary.offline && !summary.authRequired) {
      details.push(
        t("next_try", {
          time: new Date(summary.nextTry).toLocaleTimeString(document.documentElement.lang || "fr", {
            timeStyle: "short",
          }),
        }),
      );
    }
    $("[data-queue-detail]").textContent = details.join(" ");

    const invalid = summary.invalid;
    $("[data-queue-invalid]").hidden = invalid.length === 0;
    $("[data-queue-invalid-count]").textContent =
      invalid.length === 1 ? t("invalid_one") : t("invalid_many", { n: invalid.length });
    const list = $("[data-queue-invalid-list]");
    list.replaceChildren(
      ...invalid.map((item) => {
        const li = document.createElement("li");
        const label = document.createElement("span");
        label.textContent = `${t("invalid_item", {
          date: formatDateTime(item.payload.started_at || item.queuedAt),
        })} — `;
        const link = document.createElement("a");
        link.href = correctionUrl(root, item);
        link.textContent = t("fix");
        li.append(label, link);
        return li;
      }),
    );
  });

  if (!panel) return;
  const send = panel.querySelector("[data-queue-send]");
  if (send) send.addEventListener("click", () => queue.flush({ force: true }));
  const exporter = panel.querySelector("[data-queue-export]");
  if (exporter) {
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
      result.textContent = t("imported", { n: await queue.importFile(file) });
    } catch {
      result.textContent = t("import_error");
    }
    input.value = "";
  });
}
