// One question of the API's definition as DSFR markup, and its value read from and written
// to the inputs. Values follow the submit API: a choice code, a list of codes (multiple),
// a text (free text), {insee} / {outside} (commune).

import { CommuneField } from "./commune.js";
import { t } from "./messages.js";

const CHOICE_KINDS = new Set(["single", "multiple", "satisfaction", "agreement", "yes_no"]);
const GRID_KINDS = new Set(["satisfaction", "agreement", "yes_no"]);

export function isBlank(value) {
  return (
    value === undefined ||
    value === null ||
    (typeof value === "string" && value.trim() === "") ||
    (Array.isArray(value) && value.length === 0)
  );
}

/** The choice codes an answer holds (what a condition looks at). */
export function codesOf(value) {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value;
  return [];
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "className") node.className = value;
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** French typography: no line break before "?", "!", ":", ";" or "»". */
const typeset = (text) => text.replace(/ ([?!:;»])/g, "\u00a0$1").replace(/« /g, "«\u00a0");

function heading(question) {
  const parts = [];
  if (question.number) parts.push(el("span", { className: "app-question__number" }, `Q${question.number}`), " ");
  parts.push(typeset(question.text));
  if (!question.required) parts.push(" ", el("span", { className: "app-question__optional" }, t("optional")));
  if (question.help_text) parts.push(el("span", { className: "fr-hint-text" }, question.help_text));
  return parts;
}

function messagesGroup(id) {
  return el("div", { className: "fr-messages-group", id, "aria-live": "polite" });
}

function choiceQuestion(question, { keys }) {
  const id = `q-${question.code}`;
  const type = question.kind === "multiple" ? "checkbox" : "radio";
  const groupClass = type === "radio" ? "fr-radio-group" : "fr-checkbox-group";
  const layout = GRID_KINDS.has(question.kind) ? "app-choices--grid" : "app-choices--list";
  const choices = question.choices.map((choice, index) => {
    const inputId = `${id}-${index}`;
    const key = keys && index < 10 ? el("span", { className: "app-key", "aria-hidden": "true" }, String((index + 1) % 10)) : null;
    return el(
      "div",
      { className: `${groupClass} app-tile` },
      el("input", {
        type,
        id: inputId,
        name: question.code,
        value: choice.code,
        "data-polarity": choice.polarity,
      }),
      el("label", { className: "fr-label", for: inputId }, key, el("span", {}, typeset(choice.label))),
    );
  });
  return el(
    "fieldset",
    {
      className: "fr-fieldset app-question",
      id,
      "data-code": question.code,
      "aria-labelledby": `${id}-legend ${id}-messages`,
    },
    el("legend", { className: "fr-fieldset__legend app-question__text", id: `${id}-legend` }, ...heading(question)),
    el("div", { className: "fr-fieldset__element" }, el("div", { className: `app-choices ${layout}` }, ...choices)),
    messagesGroup(`${id}-messages`),
  );
}

function textQuestion(question) {
  const id = `q-${question.code}`;
  return el(
    "div",
    { className: "fr-input-group app-question", id, "data-code": question.code },
    el("label", { className: "fr-label app-question__text", for: `${id}-input` }, ...heading(question)),
    el("textarea", {
      className: "fr-input",
      id: `${id}-input`,
      name: question.code,
      rows: "4",
      "aria-describedby": `${id}-messages`,
    }),
    messagesGroup(`${id}-messages`),
  );
}

function communeQuestion(question) {
  const id = `q-${question.code}`;
  return el(
    "div",
    { className: "fr-input-group app-question app-commune", id, "data-code": question.code },
    el("label", { className: "fr-label app-question__text", for: `${id}-input` }, ...heading(question)),
    el(
      "div",
      { className: "app-commune__box" },
      el("input", {
        className: "fr-input",
        type: "text",
        id: `${id}-input`,
        role: "combobox",
        "aria-autocomplete": "list",
        "aria-expanded": "false",
        "aria-controls": `${id}-list`,
        "aria-describedby": `${id}-note ${id}-messages`,
        autocomplete: "off",
        autocapitalize: "words",
        spellcheck: "false",
      }),
      el("ul", { className: "app-commune__list", role: "listbox", id: `${id}-list`, hidden: true, "aria-label": question.text }),
    ),
    el("p", { className: "fr-message fr-message--info app-commune__note", id: `${id}-note`, "data-commune-note": true, hidden: true }),
    messagesGroup(`${id}-messages`),
  );
}

/**
 * A question of the definition, drawn and wired: {code, kind, required, condition, element,
 * read(), write(value), showErrors(messages), focus()}.
 */
export function buildQuestion(question, { keys, onCommune }) {
  let element;
  let commune = null;
  if (CHOICE_KINDS.has(question.kind)) element = choiceQuestion(question, { keys });
  else if (question.kind === "commune") element = communeQuestion(question);
  else element = textQuestion(question);
  if (question.kind === "commune") commune = new CommuneField(element, (value) => onCommune(question.code, value));

  const inputs = () => [...element.querySelectorAll("input[type=radio], input[type=checkbox]")];
  const textarea = element.querySelector("textarea");

  return {
    ...question,
    element,
    commune,
    choiceInputs: inputs,

    read() {
      if (question.kind === "commune") return commune.value;
      if (question.kind === "free_text") return textarea.value;
      const chosen = inputs().filter((input) => input.checked).map((input) => input.value);
      return question.kind === "multiple" ? chosen : chosen[0];
    },

    write(value) {
      if (question.kind === "commune") return commune.show(value);
      if (question.kind === "free_text") {
        textarea.value = value || "";
        return undefined;
      }
      const codes = codesOf(value);
      for (const input of inputs()) input.checked = codes.includes(input.value);
      return undefined;
    },

    showErrors(messages) {
      const on = Boolean(messages && messages.length);
      const fieldset = element.tagName === "FIELDSET";
      element.classList.toggle(fieldset ? "fr-fieldset--error" : "fr-input-group--error", on);
      const field = element.querySelector("textarea, input.fr-input");
      if (field) {
        field.classList.toggle("fr-input--error", on);
        field.setAttribute("aria-invalid", String(on));
      }
      element.querySelector(".fr-messages-group").replaceChildren(
        ...(messages || []).map((message) => el("p", { className: "fr-message fr-message--error" }, message)),
      );
    },

    /** Focus the question's checked answer, else its first input, and bring it into view. */
    focus() {
      const target = element.querySelector("input:checked") || element.querySelector("input, textarea");
      if (!target) return;
      target.focus({ preventScroll: true });
      element.scrollIntoView({ block: "center" });
    },
  };
}

export function sectionElement(section, index, { titled }) {
  return el(
    "section",
    { className: "app-section", "data-section": String(index), "aria-labelledby": titled ? `s-${section.code}` : null },
    titled ? el("h2", { className: "fr-h5 app-section__title", id: `s-${section.code}` }, section.title) : null,
  );
}
