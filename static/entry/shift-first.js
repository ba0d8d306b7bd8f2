// The entry page's first state, set while the page is parsed, before its first paint: the
// summary of the shift this device remembers, or the form to choose one. A classic script
// placed right after both (not a module, which runs after the page shows): the section
// under them does not move when shift.js, a module, arrives (Lighthouse counted a layout
// shift of 0.3 there). shift.js then does the same and everything else (offline, events).
(() => {
  const root = document.getElementById("entry-shift");
  const form = root && root.querySelector("[data-shift-form]");
  const summary = root && root.querySelector("[data-shift-summary]");
  if (!form || !summary) return;
  let stored = null;
  try {
    stored = JSON.parse(localStorage.getItem("entry.shift") || "null"); // store.js's shift
  } catch {
    stored = null;
  }
  const offers = (name, value, campaign) =>
    [...form.querySelectorAll(`input[name="${name}"]`)].some(
      (input) => input.value === String(value) && (!campaign || input.dataset.campaign === String(campaign)),
    );
  const valid =
    stored &&
    offers("campaign", stored.campaign) &&
    offers("site", stored.site) &&
    offers("questionnaire", stored.questionnaire, stored.campaign);
  if (valid) {
    summary.querySelector("[data-shift-campaign]").textContent = stored.campaignTitle;
    summary.querySelector("[data-shift-site]").textContent = stored.siteName;
    summary.querySelector("[data-shift-channel]").textContent = stored.channel;
    summary.hidden = false;
  } else {
    form.hidden = false;
  }
})();
