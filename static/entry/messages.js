// The French sentences of the entry scripts live in the page (templates/survey/entry/
// _messages.html, translated by Django); t("key", {n: 3}) reads one and fills it in.

export function t(key, params = {}) {
  const node = document.querySelector(`#entry-messages [data-msg="${key}"]`);
  let text = node ? node.textContent.trim() : key;
  for (const [name, value] of Object.entries(params)) {
    text = text.split(`{${name}}`).join(String(value));
  }
  return text;
}

// A counted sentence: "<key>_one" or "<key>_many" by the page language's plural rule
// (in French 0 and 1 take the singular, in English 1 only), {n} filled in.
export function tn(key, n, params = {}) {
  const lang = document.documentElement.lang || "fr";
  const one = new Intl.PluralRules(lang).select(n) === "one";
  return t(`${key}_${one ? "one" : "many"}`, { ...params, n });
}

export function formatDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString(document.documentElement.lang || "fr", {
    dateStyle: "short",
    timeStyle: "short",
  });
}
