// The commune question: an accent-insensitive autocomplete over the département's communes
// (the list comes from the communes API, kept offline), plus a clearly labelled choice for
// a commune outside the département. Value: {insee: "16015"} or {outside: "Bordeaux"}.

import { t } from "./messages.js";

const MAX_OPTIONS = 8;

/** The server's fold (survey.models.reference.fold): "Angoulême" -> "angouleme". */
export function fold(text) {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[-'’]/g, " ")
    .split(/\s+/)
    .filter(Boolean)
    .join(" ");
}

/** Communes matching `typed`: names starting with it first, then a word starting with it. */
export function matchCommunes(communes, typed) {
  const query = fold(typed);
  if (!query) return [];
  // "st jean" and "ste colombe" are how most people type Saint-Jean and Sainte-Colombe.
  const queries = [query, query.replace(/\bst\b/g, "saint").replace(/\bste\b/g, "sainte")];
  const starts = [];
  const words = [];
  for (const commune of communes) {
    if (queries.some((q) => commune.search.startsWith(q))) starts.push(commune);
    else if (queries.some((q) => commune.search.includes(` ${q}`))) words.push(commune);
  }
  const byName = (a, b) => a.search.localeCompare(b.search);
  return [...starts.sort(byName), ...words.sort(byName)].slice(0, MAX_OPTIONS);
}

export class CommuneField {
  /**
   * @param {HTMLElement} group the .fr-input-group holding the input and the listbox
   * @param {(value: object|null) => void} onChange called with the chosen value
   */
  constructor(group, onChange) {
    this.group = group;
    this.input = group.querySelector("input");
    this.list = group.querySelector("[role=listbox]");
    this.note = group.querySelector("[data-commune-note]");
    this.onChange = onChange;
    this.communes = null; // null: not loaded (yet, or offline)
    this.value = null;
    this.options = [];
    // WAI-ARIA combobox with list autocomplete: typing keeps the focus in the field and only
    // marks the first match as the one Enter takes (`suggested`); ArrowDown then moves the
    // visual focus into the list, to its first option (`active`, aria-activedescendant).
    this.active = -1;
    this.suggested = -1;
    this.input.addEventListener("input", () => this.typed());
    this.input.addEventListener("keydown", (event) => this.key(event));
    this.input.addEventListener("focus", () => {
      // Room below for the suggestions: above the sticky buttons and the on-screen keyboard.
      this.group.scrollIntoView({ block: "start" });
      if (this.input.value && !this.value) this.typed();
    });
    this.input.addEventListener("blur", () => setTimeout(() => this.settle(), 150));
    this.list.addEventListener("mousedown", (event) => event.preventDefault());
    this.list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.choose(Number(option.dataset.index));
    });
  }

  setCommunes(communes) {
    this.communes = communes;
    this.byInsee = new Map(communes.map((commune) => [commune.insee, commune]));
    if (this.value) this.show(this.value);
  }

  /** Display a stored value (draft restored, correction reopened). */
  show(value) {
    this.value = value || null;
    if (!value) {
      this.input.value = "";
    } else if (value.insee) {
      const commune = this.byInsee && this.byInsee.get(value.insee);
      this.input.value = commune ? commune.name : value.insee;
    } else {
      this.input.value = value.outside || "";
    }
    this.close();
    this.mark();
  }

  mark() {
    const outside = Boolean(this.value && this.value.outside);
    this.group.classList.toggle("app-commune--chosen", Boolean(this.value));
    this.note.textContent = outside ? t("commune_outside", { text: this.value.outside }) : "";
    this.note.hidden = !outside;
  }

  typed() {
    if (this.value) {
      this.value = null;
      this.mark();
      this.onChange(null);
    }
    const text = this.input.value.trim();
    if (!text) {
      this.close();
      return;
    }
    const matches = this.communes ? matchCommunes(this.communes, text) : [];
    this.options = [
      ...matches.map((commune) => ({ value: { insee: commune.insee }, label: commune.name })),
      { value: { outside: text }, label: t("commune_outside", { text }), outside: true },
    ];
    this.active = -1;
    this.suggested = matches.length ? 0 : -1;
    this.render(matches.length === 0);
  }

  render(nothingFound) {
    const items = this.options.map((option, index) => {
      const li = document.createElement("li");
      li.id = `${this.list.id}-${index}`;
      li.setAttribute("role", "option");
      li.dataset.index = String(index);
      li.className = option.outside ? "app-commune__option app-commune__option--outside" : "app-commune__option";
      li.textContent = option.label;
      li.setAttribute("aria-selected", "false");
      return li;
    });
    if (nothingFound) {
      const li = document.createElement("li");
      li.className = "app-commune__empty";
      li.setAttribute("role", "presentation");
      li.textContent = this.communes ? t("commune_none") : t("commune_unavailable");
      items.unshift(li);
    }
    this.list.replaceChildren(...items);
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight();
  }

  highlight() {
    for (const li of this.list.querySelectorAll("[role=option]")) {
      const index = Number(li.dataset.index);
      const on = index === this.active;
      li.setAttribute("aria-selected", String(on));
      li.classList.toggle("app-commune__option--suggested", this.active < 0 && index === this.suggested);
      if (on) li.scrollIntoView({ block: "nearest" });
    }
    if (this.active >= 0) {
      this.input.setAttribute("aria-activedescendant", `${this.list.id}-${this.active}`);
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  get isOpen() {
    return !this.list.hidden;
  }

  key(event) {
    if (!this.isOpen) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const count = this.options.length;
      if (this.active < 0) this.active = event.key === "ArrowDown" ? 0 : count - 1;
      else this.active = (this.active + (event.key === "ArrowDown" ? 1 : -1) + count) % count;
      this.highlight();
    } else if (event.key === "Enter") {
      // Enter picks the active option, else the first match, else "hors du département";
      // the form moves on at the next Enter.
      event.preventDefault();
      event.stopPropagation();
      const pick = [this.active, this.suggested].find((index) => index >= 0);
      this.choose(pick ?? this.options.length - 1);
    } else if (event.key === "Escape") {
      event.preventDefault();
      this.close();
    }
  }

  choose(index) {
    const option = this.options[index];
    if (!option) return;
    this.value = option.value;
    this.input.value = option.outside ? option.value.outside : option.label;
    this.close();
    this.mark();
    this.onChange(this.value);
  }

  /** Leaving the field: a typed name that is exactly one commune counts as chosen. */
  settle() {
    if (document.activeElement === this.input) return;
    this.close();
    if (this.value || !this.input.value.trim() || !this.communes) return;
    const typed = fold(this.input.value);
    const exact = this.communes.filter((commune) => commune.search === typed);
    if (exact.length === 1) {
      this.value = { insee: exact[0].insee };
      this.input.value = exact[0].name;
      this.mark();
      this.onChange(this.value);
    }
  }

  /** Typed text that was not turned into a choice: the question cannot be left like that. */
  get isUnsettled() {
    return !this.value && this.input.value.trim() !== "";
  }
}
