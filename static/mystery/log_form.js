// Mystery call form: show the criteria only for a call that got through, the missing
// parts of the greeting only when it was incomplete, and fill in the service's number.
// Without JavaScript every field shows and the server applies the same rules.
(function () {
  "use strict";
  const form = document.getElementById("log-form");
  if (!form || form.dataset.kind !== "call") return;

  const criteria = document.getElementById("call-criteria");
  const missing = document.getElementById("div_id_greeting_missing");
  const number = form.querySelector("[name=number_dialled]");
  const service = form.querySelector("[name=service]");
  const numbers = JSON.parse(document.getElementById("service-numbers").textContent || "{}");

  function checked(name) {
    const input = form.querySelector(`[name=${name}]:checked`);
    return input ? input.value : null;
  }

  function update() {
    const outcome = checked("outcome");
    if (criteria) criteria.hidden = outcome !== null && outcome !== form.dataset.reached;
    if (missing) missing.hidden = checked("greeting_complete") !== "False";
  }

  let filled = number && service ? numbers[service.value] || "" : "";
  if (service && number) {
    service.addEventListener("change", function () {
      // Replace the number only if the user has not typed one of their own.
      if (!number.value || number.value === filled) {
        filled = numbers[service.value] || "";
        number.value = filled;
      }
    });
  }
  form.addEventListener("change", update);
  update();
})();
