// The entry page: choose campaign, site and questionnaire once per shift (kept in
// localStorage), then start questionnaires; shows and sends the device's waiting queue.

import { t } from "./messages.js";
import { queueFrom } from "./queue.js";
import { guardLogout } from "./session.js";
import { mountImport, mountQueueStatus } from "./status.js";
import { persistStorage, registerServiceWorker, shift, urlFor } from "./store.js";

const root = document.getElementById("entry-shift");
const form = root.querySelector("[data-shift-form]");
const summary = root.querySelector("[data-shift-summary]");

const radios = (name) => [...form.querySelectorAll(`input[name="${name}"]`)];
const checked = (name) => radios(name).find((input) => input.checked) || null;

function labelOf(input) {
  const label = form.querySelector(`label[for="${input.id}"]`);
  const first = label ? [...label.childNodes].find((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim()) : null;
  return first ? first.textContent.trim() : "";
}

function isValid(stored) {
  return Boolean(
    stored &&
      radios("campaign").some((input) => input.value === String(stored.campaign)) &&
      radios("site").some((input) => input.value === String(stored.site)) &&
      radios("questionnaire").some(
        (input) =>
          input.value === String(stored.questionnaire) &&
          input.dataset.campaign === String(stored.campaign),
      ),
  );
}

function offlineUrls(stored) {
  const { entryUrl, formUrl, paperUrl, questionnaireUrl, communesUrl } = root.dataset;
  const urls = [
    entryUrl,
    urlFor(formUrl, stored.questionnaire),
    urlFor(questionnaireUrl, stored.questionnaire),
    `${communesUrl}?departement=${encodeURIComponent(stored.departement)}`,
  ];
  if (summary.querySelector("[data-shift-paper]")) urls.push(urlFor(paperUrl, stored.questionnaire));
  return urls;
}

function showSummary(stored, { prepared = false } = {}) {
  summary.querySelector("[data-shift-campaign]").textContent = stored.campaignTitle;
  summary.querySelector("[data-shift-site]").textContent = stored.siteName;
  summary.querySelector("[data-shift-channel]").textContent = stored.channel;
  summary.querySelector("[data-shift-start]").href = urlFor(root.dataset.formUrl, stored.questionnaire);
  const paper = summary.querySelector("[data-shift-paper]");
  if (paper) paper.href = urlFor(root.dataset.paperUrl, stored.questionnaire);
  form.hidden = true;
  summary.hidden = false;
  if (!prepared) prepareOffline(offlineUrls(stored));
}

const OFFLINE_RETRY = 10_000;
let preparing = 0;
let pending = null; // the preparation under way: resolves to true once all is kept

function offlineStatus() {
  return summary.querySelector("[data-offline-ready]");
}

/** Keep the shift's pages and JSON for offline use, and say when the device is ready: a
 * trainee whose Wi-Fi drops in the first seconds knows whether the form will open.
 * Resolves to true once the service worker said that everything is kept. */
function prepareOffline(urls) {
  const generation = ++preparing;
  const status = offlineStatus();
  status.dataset.state = "preparing";
  status.textContent = t("offline_preparing");
  pending = registerServiceWorker(root, urls).then((ready) => {
    if (generation === preparing) announce(ready, urls); // else the shift changed meanwhile
    return ready;
  });
  return pending;
}

/** Say "prêt hors ligne" only when the worker said that everything is kept; else try again. */
function announce(ready, urls) {
  const generation = preparing;
  const status = offlineStatus();
  status.dataset.state = ready ? "ready" : "missing";
  status.textContent = t(ready ? "offline_ready" : "offline_missing");
  if (!ready) setTimeout(() => generation === preparing && prepareOffline(urls), OFFLINE_RETRY);
}

/** "Nouveau questionnaire" (or the paper one) tapped before the form is kept: wait for it,
 * and without network stay here with the reason rather than open the browser's error page. */
async function startWhenKept(event) {
  const link = event.currentTarget;
  if (offlineStatus().dataset.state === "ready") return;
  event.preventDefault();
  const stored = shift.read();
  const again = offlineStatus().dataset.state !== "preparing" || !pending;
  const ready = await (again && stored ? prepareOffline(offlineUrls(stored)) : pending);
  if (ready || navigator.onLine) window.location.assign(link.href);
  else offlineStatus().focus();
}

function filterQuestionnaires() {
  const campaign = checked("campaign");
  const choices = radios("questionnaire");
  for (const input of choices) {
    const shown = Boolean(campaign) && input.dataset.campaign === campaign.value;
    input.closest(".fr-fieldset__element").hidden = !shown;
    if (!shown) input.checked = false;
  }
  const shown = choices.filter((input) => !input.closest(".fr-fieldset__element").hidden);
  if (shown.length === 1) shown[0].checked = true;
}

function showForm(stored) {
  if (stored) {
    for (const [name, value] of [
      ["campaign", stored.campaign],
      ["site", stored.site],
      ["questionnaire", stored.questionnaire],
    ]) {
      const input = radios(name).find((radio) => radio.value === String(value));
      if (input) input.checked = true;
    }
  }
  filterQuestionnaires();
  summary.hidden = true;
  form.hidden = false;
  preparing += 1; // no shift: nothing to announce
  registerServiceWorker(root, [root.dataset.entryUrl]);
}

function markMissing(name) {
  const fieldset = radios(name)[0].closest("fieldset");
  let messages = fieldset.querySelector(":scope > .fr-messages-group");
  if (!messages) {
    messages = document.createElement("div");
    messages.className = "fr-messages-group";
    messages.setAttribute("aria-live", "polite");
    fieldset.append(messages);
  }
  const missing = !checked(name);
  fieldset.classList.toggle("fr-fieldset--error", missing);
  messages.replaceChildren();
  if (missing) {
    const message = document.createElement("p");
    message.className = "fr-message fr-message--error";
    message.textContent = t("required");
    messages.append(message);
  }
  return missing;
}

if (form && summary) {
  form.addEventListener("change", (event) => {
    if (event.target.name === "campaign") filterQuestionnaires();
    if (event.target.name && event.target.closest(".fr-fieldset--error")) {
      markMissing(event.target.name);
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const missing = ["campaign", "site", "questionnaire"].filter(markMissing);
    if (missing.length) {
      const first = radios(missing[0]).find((input) => !input.closest("[hidden]"));
      if (first) first.focus();
      return;
    }
    const campaign = checked("campaign");
    const site = checked("site");
    const questionnaire = checked("questionnaire");
    const stored = {
      campaign: Number(campaign.value),
      campaignTitle: labelOf(campaign),
      site: Number(site.value),
      siteName: labelOf(site),
      questionnaire: Number(questionnaire.value),
      channel: labelOf(questionnaire),
      departement: questionnaire.dataset.departement,
      chosenAt: new Date().toISOString(),
    };
    shift.write(stored);
    // The shift screen is left once the form is kept for offline use: the Wi-Fi may drop
    // in the next second (a few seconds on a first visit, while the worker installs).
    const button = form.querySelector("[type=submit]");
    const waiting = form.querySelector("[data-shift-preparing]");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    waiting.textContent = t("offline_preparing");
    await prepareOffline(offlineUrls(stored));
    button.disabled = false;
    button.removeAttribute("aria-busy");
    waiting.textContent = "";
    showSummary(stored, { prepared: true });
    summary.querySelector("[data-shift-start]").focus();
  });
  for (const link of summary.querySelectorAll("[data-shift-start], [data-shift-paper]")) {
    link.addEventListener("click", startWhenKept);
  }
  summary.querySelector("[data-shift-change]").addEventListener("click", () => {
    showForm(shift.read());
    const first = form.querySelector("input:checked, input");
    if (first) first.focus();
  });

  const stored = shift.read();
  if (isValid(stored)) {
    showSummary(stored);
  } else {
    showForm(null);
  }
} else {
  registerServiceWorker(root, [root.dataset.entryUrl]);
}

persistStorage();
guardLogout(root);
const queue = queueFrom(root);
mountQueueStatus(root, queue);
mountImport(root, queue);
queue.start();
