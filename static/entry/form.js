// The questionnaire form: one questionnaire after another, on a tablet in the hall (one
// section per screen, large tap targets), during a phone interview or typing in paper
// questionnaires (keyboard: digits choose, Enter moves on). Skip logic is applied as the
// user answers; the draft is saved on the device on every change; a completed
// questionnaire goes to the send queue (queue.js) and the next one starts.

import { t } from "./messages.js";
import { INVALID, queueFrom } from "./queue.js";
import { buildQuestion, codesOf, isBlank, sectionElement } from "./questions.js";
import { guardLogout } from "./session.js";
import { discardRefused, formatTime, mountQueueStatus, refusedDetails } from "./status.js";
import {
  DEFINITIONS,
  DRAFTS,
  deviceId,
  idb,
  local,
  newUuid,
  registerServiceWorker,
  shift,
} from "./store.js";

const root = document.getElementById("entry-form-app");
const mode = root.dataset.mode; // "tablet" | "phone" | "paper"
const paged = root.dataset.layout === "paged";
const questionnaireId = Number(root.dataset.questionnaire);
const draftPointer = `entry.draft.${mode}.${questionnaireId}`;
const $ = (selector) => root.querySelector(selector);

const editor = $("[data-editor]");
const form = document.getElementById("entry-form");
const sectionsBox = $("[data-sections]");
const startedInput = document.getElementById("entry-started");
const done = $("[data-done]");
const sites = JSON.parse(document.getElementById("entry-sites").textContent);
const queue = queueFrom(root);

let definition = null;
let questions = []; // every question, in order, built by questions.js
let sectionNodes = [];
let draft = freshDraft();
let serverErrors = {};
let site = null;
let lastSubmitted = null;
let savedThisPage = 0;
let saving = Promise.resolve();

function freshDraft() {
  return {
    uuid: null, // made at the first answer: that is when the questionnaire starts
    questionnaire: questionnaireId,
    mode,
    started_at: null,
    startedEdited: false,
    answers: {},
    section: 0,
    correcting: false,
  };
}

function fatal(message) {
  const box = $("[data-fatal]");
  box.querySelector("p").textContent = message;
  box.hidden = false;
}

// --- loading -----------------------------------------------------------------------------

/** JSON from the network (the service worker falls back on its cache), else the copy kept
 * in IndexedDB the last time it was read. */
async function loadJson(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.ok && (response.headers.get("Content-Type") || "").includes("application/json")) {
      const data = await response.json();
      idb.put(DEFINITIONS, { url, data, savedAt: new Date().toISOString() }).catch(() => {});
      return data;
    }
  } catch {
    // offline: read the copy below
  }
  const stored = await idb.get(DEFINITIONS, url).catch(() => null);
  return stored ? stored.data : null;
}

// --- site ----------------------------------------------------------------------------------

function showSite() {
  $("[data-site-name]").textContent = site ? site.name : "";
  const picker = $("[data-site-picker]");
  picker.hidden = Boolean(site);
  if (site) return;
  const select = picker.querySelector("select");
  if (select.options.length === 1) {
    for (const choice of sites) select.append(new Option(choice.name, String(choice.id)));
    select.addEventListener("change", () => {
      site = sites.find((choice) => String(choice.id) === select.value) || null;
      if (site) shift.write({ ...(shift.read() || {}), site: site.id, siteName: site.name });
      $("[data-site-messages]").replaceChildren();
      showSite();
    });
  }
}

function resolveSite(preferred) {
  const stored = shift.read();
  return (
    sites.find((choice) => choice.id === preferred) ||
    (stored && sites.find((choice) => choice.id === stored.site)) ||
    (sites.length === 1 ? sites[0] : null)
  );
}

// --- the start of the questionnaire: the interview time, the paper's date ----------------

const pad = (n) => String(n).padStart(2, "0");
const localDate = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
const localDateTime = (date) => `${localDate(date)}T${pad(date.getHours())}:${pad(date.getMinutes())}`;

function showStarted() {
  if (!startedInput) return;
  if (mode === "phone") {
    startedInput.value = localDateTime(draft.started_at ? new Date(draft.started_at) : new Date());
  } else {
    startedInput.value = draft.started_at
      ? localDate(new Date(draft.started_at))
      : local.get("entry.paperDate") || "";
  }
  showStartedError(null);
}

/** started_at as ISO 8601 (UTC): the interview's minute, or noon of the paper's date (never
 * later than now, so that it cannot follow the submission). */
function startedAt() {
  if (mode === "tablet") return draft.started_at || new Date().toISOString();
  if (!startedInput.value) return null;
  if (mode === "phone") return new Date(startedInput.value).toISOString();
  const [year, month, day] = startedInput.value.split("-").map(Number);
  const noon = new Date(year, month - 1, day, 12, 0, 0);
  return new Date(Math.min(noon.getTime(), Date.now())).toISOString();
}

function showStartedError(message) {
  if (!startedInput) return;
  startedInput.closest(".fr-input-group").classList.toggle("fr-input-group--error", Boolean(message));
  startedInput.classList.toggle("fr-input--error", Boolean(message));
  const box = $("[data-started-messages]");
  box.replaceChildren();
  if (message) {
    const p = document.createElement("p");
    p.className = "fr-message fr-message--error";
    p.textContent = message;
    box.append(p);
  }
}

function startedProblem() {
  if (!startedInput) return null;
  if (!startedInput.value) return mode === "paper" ? t("required") : null;
  const when = mode === "phone" ? new Date(startedInput.value) : new Date(`${startedInput.value}T00:00`);
  if (Number.isNaN(when.getTime())) return t("required");
  return when.getTime() > Date.now() ? t("future") : null;
}

// --- the draft -----------------------------------------------------------------------------

function ensureStarted() {
  if (draft.uuid) return;
  draft.uuid = newUuid();
  if (mode === "tablet") draft.started_at = new Date().toISOString();
  if (mode === "phone" && !draft.startedEdited) {
    draft.started_at = new Date().toISOString();
    showStarted();
  }
  if (!draft.correcting) local.set(draftPointer, draft.uuid);
}

function saveDraft() {
  if (!draft.uuid) return;
  const copy = JSON.parse(JSON.stringify({ ...draft, updatedAt: new Date().toISOString() }));
  saving = saving
    .then(() => idb.put(DRAFTS, copy))
    .catch(() => fatal(t("storage_error")));
}

async function dropDraft(uuid) {
  await saving;
  if (uuid) await idb.delete(DRAFTS, uuid).catch(() => {});
  if (local.get(draftPointer) === uuid) local.remove(draftPointer);
}

// --- skip logic ----------------------------------------------------------------------------

const byCode = new Map();

function isAsked(question) {
  if (!question.condition) return true;
  const given = codesOf(draft.answers[question.condition.question]);
  return given.some((code) => question.condition.codes.includes(code));
}

/** Hide the questions whose condition is not met and forget their answers (in order, so
 * that a question depending on a hidden one is hidden too). */
function applySkipLogic() {
  for (const question of questions) {
    const asked = isAsked(question);
    question.element.hidden = !asked;
    if (!asked) {
      if (question.code in draft.answers) delete draft.answers[question.code];
      if (!isBlank(question.read())) question.write(null);
      question.showErrors(null);
    }
  }
  sectionNodes.forEach((node, index) => {
    node.dataset.empty = String(!sectionQuestions(index).some(visible));
  });
  if (!paged) {
    for (const node of sectionNodes) node.hidden = node.dataset.empty === "true";
  }
}

const visible = (question) => !question.element.hidden;
const sectionQuestions = (index) => questions.filter((question) => question.section === index);
const visibleSections = () =>
  sectionNodes.map((_, index) => index).filter((index) => sectionQuestions(index).some(visible));

// --- answering -----------------------------------------------------------------------------

function answered(question, value) {
  ensureStarted();
  if (isBlank(value)) delete draft.answers[question.code];
  else draft.answers[question.code] = value;
  delete serverErrors[question.code];
  question.showErrors(null);
  applySkipLogic();
  if (paged) showStepper();
  saveDraft();
}

/** "Sans réponse" and "Non concerné(e)" exclude every other box of a multiple choice. */
function keepExclusive(question, changed) {
  if (!changed.checked) return;
  const outside = changed.dataset.polarity === "outside";
  for (const input of question.choiceInputs()) {
    if (input !== changed && (outside || input.dataset.polarity === "outside")) input.checked = false;
  }
}

function questionOf(node) {
  const element = node && node.closest ? node.closest(".app-question") : null;
  return element ? byCode.get(element.dataset.code) : null;
}

let typing = null;

/** Take in what was typed in the last moments (before moving on or sending). */
function syncTyping() {
  if (!typing) return;
  clearTimeout(typing);
  typing = null;
  for (const question of questions) {
    if (question.kind === "free_text" && visible(question)) {
      const value = question.read();
      if ((draft.answers[question.code] || "") !== value) answered(question, value);
    }
  }
}

form.addEventListener("input", (event) => {
  const question = questionOf(event.target);
  if (!question || question.kind !== "free_text") return;
  clearTimeout(typing);
  typing = setTimeout(() => {
    typing = null;
    answered(question, question.read());
  }, 300);
});
form.addEventListener("change", (event) => {
  const question = questionOf(event.target);
  if (!question || question.kind === "commune") return;
  if (question.kind === "multiple") keepExclusive(question, event.target);
  answered(question, question.read());
});

// --- errors --------------------------------------------------------------------------------

/** Flag the unanswered required questions (and unsettled communes) among `list`. */
function check(list) {
  const problems = [];
  for (const question of list.filter(visible)) {
    let message = null;
    if (question.commune && question.commune.isUnsettled) message = t("commune_choose");
    else if (question.required && isBlank(draft.answers[question.code])) message = t("required");
    if (message) {
      question.showErrors([message]);
      problems.push(question);
    } else {
      question.showErrors(serverErrors[question.code] || null);
    }
  }
  return problems;
}

function showServerErrors() {
  const box = $("[data-server-errors]");
  const list = $("[data-server-error-list]");
  const general = [];
  let onQuestions = false;
  for (const [key, messages] of Object.entries(serverErrors)) {
    const question = byCode.get(key);
    if (question) {
      question.showErrors(messages);
      onQuestions = true;
    } else {
      general.push(...messages);
    }
  }
  if (onQuestions) general.push(t("fix_below"));
  list.replaceChildren(
    ...general.map((message) => {
      const li = document.createElement("li");
      li.textContent = message;
      return li;
    }),
  );
  box.hidden = general.length === 0;
}

// --- sections (tablet and phone) ---------------------------------------------------------

function showStepper() {
  const stepper = $("[data-stepper]");
  if (!stepper) return;
  const shown = visibleSections();
  const position = shown.indexOf(draft.section);
  const current = definition.sections[draft.section];
  const next = definition.sections[shown[position + 1]];
  $("[data-stepper-section]").textContent = current.title;
  $("[data-stepper-state]").textContent = t("step_state", { current: position + 1, total: shown.length });
  const steps = $("[data-stepper-steps]");
  steps.dataset.frSteps = String(shown.length);
  steps.dataset.frCurrentStep = String(position + 1);
  steps.style.setProperty("--steps", String(shown.length));
  steps.style.setProperty("--current-step", String(position + 1));
  $("[data-stepper-details]").hidden = !next;
  $("[data-stepper-next-label]").textContent = t("step_next");
  $("[data-stepper-next]").textContent = next ? next.title : "";
}

function showSection(index, { focus = false } = {}) {
  const shown = visibleSections();
  if (!shown.includes(index)) index = shown.find((i) => i > index) ?? shown[shown.length - 1] ?? 0;
  draft.section = index;
  sectionNodes.forEach((node, i) => {
    node.hidden = i !== index;
  });
  const position = shown.indexOf(index);
  $("[data-back]").hidden = position <= 0;
  $("[data-next]").hidden = position >= shown.length - 1;
  $("[data-submit]").hidden = position < shown.length - 1;
  const intro = $("[data-intro]");
  if (intro) intro.hidden = position > 0;
  showStepper();
  if (focus) {
    $("[data-stepper]").scrollIntoView({ block: "start" });
    focusFirstQuestion(index);
  }
}

/** Put the focus on the first answer of a section's first question (a keyboard user
 * answers at once), without moving the page unless that answer is off screen. On the hall
 * tablet a text field would open the on-screen keyboard: the stepper's title takes the focus
 * instead. */
function focusFirstQuestion(index) {
  const first = sectionQuestions(index).find(visible);
  const input = first && (first.element.querySelector("input:checked") || first.element.querySelector("input, textarea"));
  if (!input || (mode === "tablet" && !input.matches("[type=radio], [type=checkbox]"))) {
    const title = $("[data-stepper-title]");
    if (title) title.focus({ preventScroll: true });
    return;
  }
  input.focus({ preventScroll: true });
  const box = first.element.getBoundingClientRect();
  if (box.top < 0 || box.top > window.innerHeight - 160) first.element.scrollIntoView({ block: "center" });
}

function goNext() {
  syncTyping();
  const problems = check(sectionQuestions(draft.section));
  if (problems.length) {
    problems[0].focus();
    return;
  }
  const shown = visibleSections();
  const position = shown.indexOf(draft.section);
  if (position < shown.length - 1) {
    showSection(shown[position + 1], { focus: true });
    saveDraft();
  } else {
    submit();
  }
}

function goBack() {
  const shown = visibleSections();
  const position = shown.indexOf(draft.section);
  if (position > 0) {
    showSection(shown[position - 1], { focus: true });
    saveDraft();
  }
}

// --- keyboard: digits choose, Enter moves on -----------------------------------------------

function moveOn(from) {
  const scope = (paged ? sectionQuestions(draft.section) : questions).filter(visible);
  const next = scope[from ? scope.indexOf(from) + 1 : 0];
  if (next) next.focus();
  else if (paged) goNext();
  else submit();
}

editor.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.altKey || event.metaKey) return;
  const target = event.target;
  const question = questionOf(target);
  if (/^[0-9]$/.test(event.key) && !event.ctrlKey && question && target.matches("input[type=radio], input[type=checkbox]")) {
    const input = question.choiceInputs()[event.key === "0" ? 9 : Number(event.key) - 1];
    if (!input) return;
    event.preventDefault();
    input.checked = input.type === "radio" ? true : !input.checked;
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
    return;
  }
  if (event.key !== "Enter" || target.matches("button, a, select")) return;
  if (target.matches("textarea") && !event.ctrlKey) return;
  event.preventDefault();
  if (target === startedInput) {
    moveOn(null);
  } else {
    moveOn(question);
  }
});

// --- submitting ----------------------------------------------------------------------------

function payloadAnswers() {
  const answers = {};
  for (const question of questions.filter(visible)) {
    let value = draft.answers[question.code];
    if (typeof value === "string" && question.kind === "free_text") value = value.trim();
    if (!isBlank(value)) answers[question.code] = value;
  }
  return answers;
}

let submitting = false;

/** Validate, queue and start the next one; a double tap or a held Enter submits once. */
async function submit() {
  if (submitting) return;
  submitting = true;
  try {
    await submitOnce();
  } finally {
    submitting = false;
  }
}

async function submitOnce() {
  syncTyping();
  const problems = check(questions);
  const startProblem = startedProblem();
  showStartedError(startProblem);
  if (!site) {
    const p = document.createElement("p");
    p.className = "fr-message fr-message--error";
    p.textContent = t("site_required");
    $("[data-site-messages]").replaceChildren(p);
    $("[data-site-picker] select").focus();
    return;
  }
  if (startProblem) {
    startedInput.focus();
    return;
  }
  if (problems.length) {
    if (paged) showSection(problems[0].section);
    problems[0].focus();
    return;
  }
  ensureStarted();
  const payload = {
    uuid: draft.uuid,
    questionnaire: questionnaireId,
    site: site.id,
    mode,
    device_id: deviceId(),
    interviewer: root.dataset.user, // the account it is credited to, whoever sends it
    started_at: startedAt(),
    submitted_at: new Date().toISOString(),
    answers: payloadAnswers(),
  };
  try {
    await queue.add(payload);
  } catch {
    fatal(t("storage_error"));
    const outcome = await queue.send(payload);
    if (outcome.kind !== "stored") return; // keep the answers on screen
  }
  await dropDraft(payload.uuid);
  if (mode === "paper") local.set("entry.paperDate", startedInput.value);
  finished(payload);
  queue.flush({ force: true });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  submit();
});

// --- after the questionnaire: thank you and the next one ---------------------------------

async function showDoneStatus() {
  if (!lastSubmitted || done.hidden) return;
  const item = await queue.get(lastSubmitted);
  const status = $("[data-done-status]");
  const reasons = $("[data-done-reasons]");
  const refused = Boolean(item && item.status === INVALID);
  // A refused questionnaire is not "enregistré": say so, with the server's reason.
  $("[data-done-thanks]").hidden = refused;
  $("[data-done-refused]").hidden = !refused;
  reasons.hidden = !refused;
  if (refused) {
    if (reasons.dataset.uuid !== item.uuid) {
      reasons.dataset.uuid = item.uuid;
      reasons.replaceChildren(refusedDetails(root, queue, item, { after: () => startNew() }));
    }
  } else {
    delete reasons.dataset.uuid;
    reasons.replaceChildren();
  }
  if (!item) {
    status.textContent = t("done_sent");
  } else if (refused) {
    status.textContent = t("done_invalid");
  } else if (queue.authRequired) {
    status.textContent = t("done_auth");
  } else if (queue.otherSession) {
    status.textContent = t("done_other_session");
  } else if (item.failure && item.failure.kind === "server" && navigator.onLine) {
    status.textContent = t("done_server", {
      status: item.failure.status || "?",
      time: formatTime(item.nextTry),
    });
  } else if (item.attempts || !navigator.onLine) {
    status.textContent = t("done_queued");
  } else {
    status.textContent = t("done_sending");
  }
}

function finished(payload) {
  savedThisPage += 1;
  if (mode === "paper") {
    startNew({ keepDate: true });
    const toast = $("[data-saved-toast]");
    toast.textContent = t("paper_saved", { n: savedThisPage });
    return;
  }
  lastSubmitted = payload.uuid;
  editor.hidden = true;
  done.hidden = false;
  showDoneStatus();
  done.scrollIntoView({ block: "start" });
  done.focus({ preventScroll: true });
}

function clearInputs() {
  for (const question of questions) {
    question.write(null);
    question.showErrors(null);
  }
}

function startNew({ keepDate = false } = {}) {
  const date = keepDate && startedInput ? startedInput.value : null;
  draft = freshDraft();
  serverErrors = {};
  showServerErrors();
  clearInputs();
  applySkipLogic();
  if (history.state !== null || location.search) history.replaceState(null, "", location.pathname);
  showStarted();
  if (date) startedInput.value = date;
  done.hidden = true;
  editor.hidden = false;
  if (paged) {
    showSection(visibleSections()[0] ?? 0);
    editor.scrollIntoView({ block: "start" });
    focusFirstQuestion(draft.section);
  } else {
    window.scrollTo(0, 0);
    const first = questions.find(visible);
    if (first) first.focus();
  }
}

$("[data-new]").addEventListener("click", () => startNew());

const discard = $("[data-discard]");
discard.addEventListener("click", async () => {
  // A refused questionnaire that cannot be fixed (campaign closed…) may be deleted for good.
  const uuid = draft.uuid;
  if (draft.correcting) {
    if (!(await discardRefused(queue, uuid))) return;
  } else if (!window.confirm(t("confirm_discard"))) {
    return;
  }
  await dropDraft(uuid);
  startNew({ keepDate: true });
});

if (paged) {
  $("[data-next]").addEventListener("click", goNext);
  $("[data-back]").addEventListener("click", goBack);
}
if (startedInput) {
  startedInput.addEventListener("change", () => {
    const problem = startedProblem();
    showStartedError(problem);
    if (problem || !startedInput.value) return;
    draft.startedEdited = true;
    draft.started_at = startedAt();
    if (mode === "paper") local.set("entry.paperDate", startedInput.value);
    saveDraft();
  });
}

// --- start ---------------------------------------------------------------------------------

function build() {
  const titled = !paged;
  sectionNodes = definition.sections.map((section, index) => {
    const node = sectionElement(section, index, { titled });
    for (const raw of section.questions) {
      const question = buildQuestion(raw, {
        keys: mode !== "tablet",
        onCommune: (code, value) => answered(byCode.get(code), value),
      });
      question.section = index;
      questions.push(question);
      byCode.set(question.code, question);
      node.append(question.element);
    }
    return node;
  });
  sectionsBox.replaceChildren(...sectionNodes);
}

async function restoreDraft() {
  const correcting = new URLSearchParams(location.search).get("corriger");
  if (correcting) {
    const item = await queue.get(correcting).catch(() => null);
    const saved = await idb.get(DRAFTS, correcting).catch(() => null);
    if (item || saved) {
      const payload = item ? item.payload : null;
      draft = saved || {
        ...freshDraft(),
        uuid: payload.uuid,
        started_at: payload.started_at,
        startedEdited: true,
        answers: { ...payload.answers },
      };
      draft.correcting = true;
      serverErrors = (item && item.status === INVALID && item.errors) || {};
      return payload ? payload.site : null;
    }
    history.replaceState(null, "", location.pathname); // already sent: nothing to fix
    return null;
  }
  const uuid = local.get(draftPointer);
  if (!uuid) return null;
  const [saved, queued] = await Promise.all([
    idb.get(DRAFTS, uuid).catch(() => null),
    queue.get(uuid).catch(() => null),
  ]);
  if (saved && !queued) draft = saved;
  else local.remove(draftPointer);
  return null;
}

// Below the DSFR's md breakpoint (static/css/entry.css): a phone.
const PHONE_SCREEN = "(max-width: 47.98em)";

async function main() {
  // On a phone the introduction starts folded, so that the first question shows at once.
  const intro = $("[data-intro]");
  if (intro && window.matchMedia(PHONE_SCREEN).matches) intro.open = false;
  guardLogout(root);
  registerServiceWorker(root);
  mountQueueStatus(root, queue);
  queue.addEventListener("change", showDoneStatus);
  queue.start();

  definition = await loadJson(root.dataset.questionnaireUrl);
  $("[data-loading]").hidden = true;
  if (!definition || !Array.isArray(definition.sections)) {
    fatal(t("unavailable"));
    return;
  }
  build();
  if (questions.some((question) => question.kind === "commune")) {
    const url = `${root.dataset.communesUrl}?departement=${encodeURIComponent(root.dataset.departement)}`;
    loadJson(url).then((data) => {
      if (!data) return;
      for (const question of questions) if (question.commune) question.commune.setCommunes(data.communes);
    });
  }

  const draftSite = await restoreDraft();
  site = resolveSite(draftSite);
  showSite();
  for (const question of questions) question.write(draft.answers[question.code]);
  applySkipLogic();
  showStarted();
  showServerErrors();
  editor.hidden = false;
  if (draft.correcting) discard.textContent = t("discard_invalid");
  if (paged) showSection(draft.section);
  // The phone interview starts on the keyboard: the digits answer the first question at once.
  if (mode === "phone") focusFirstQuestion(draft.section);
  if (Object.keys(serverErrors).length) {
    const first = questions.find((question) => serverErrors[question.code]);
    if (first && paged) showSection(first.section);
    $("[data-server-errors]").focus();
  }
}

main().catch((error) => {
  console.error(error);
  fatal(t("unavailable"));
});
