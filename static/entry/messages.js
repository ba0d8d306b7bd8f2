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

export function formatDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString(document.documentElement.lang || "fr", {
    dateStyle: "short",
    timeStyle: "short",
  });
}
