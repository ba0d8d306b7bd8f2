// Remarks coding screen: the typed keys and the ticked boxes follow each other, and a few
// keys speed the work up. Without JavaScript the form posts the keys and the boxes as
// they are, and the server adds them up: the screen works the same, only less quickly.
(function () {
  "use strict";
  const form = document.getElementById("coding-form");
  if (!form) return;
  const input = form.querySelector("input[name=keys]");
  const preview = document.getElementById("keys-preview");
  const boxes = Array.from(form.querySelectorAll("input[name=categories][data-key]")).filter(
    (box) => box.dataset.key
  );
  const byKey = new Map(boxes.map((box) => [box.dataset.key, box]));
  const SEPARATORS = /[\s,;+/]+/;

  function labelOf(box) {
    const label = form.querySelector(`label[for="${box.id}"]`);
    if (!label) return "";
    const copy = label.cloneNode(true);
    copy.querySelectorAll(".remarks-key, .fr-sr-only").forEach((node) => node.remove());
    return copy.textContent.trim();
  }

  function typedKeys() {
    return input.value.split(SEPARATORS).filter(Boolean);
  }

  function showPreview() {
    if (!preview) return;
    const keys = typedKeys();
    const unknown = keys.filter((key) => !byKey.has(key));
    const chosen = boxes.filter((box) => box.checked).map(labelOf);
    if (unknown.length) {
      preview.textContent = `Touche inconnue : ${unknown.join(", ")}.`;
    } else if (chosen.length) {
      preview.textContent = `Rubriques choisies : ${chosen.join(" ; ")}.`;
    } else {
      preview.textContent = "";
    }
  }

  // The keys typed decide which keyed boxes are ticked.
  function boxesFromKeys() {
    const keys = new Set(typedKeys());
    boxes.forEach((box) => {
      box.checked = keys.has(box.dataset.key);
    });
    showPreview();
  }

  // A box ticked or unticked rewrites the keys.
  function keysFromBoxes() {
    input.value = boxes
      .filter((box) => box.checked)
      .map((box) => box.dataset.key)
      .join(" ");
    showPreview();
  }

  if (input) {
    if (!input.value) keysFromBoxes();
    else showPreview();
    input.addEventListener("input", boxesFromKeys);
    boxes.forEach((box) => box.addEventListener("change", keysFromBoxes));
  }

  function isTextField(element) {
    return element && (element.tagName === "TEXTAREA" || element.tagName === "SELECT" ||
      (element.tagName === "INPUT" && !["checkbox", "radio", "submit", "button"].includes(element.type)));
  }

  function go(id) {
    const link = document.getElementById(id);
    if (link) window.location.assign(link.href);
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (event.key === "PageDown" && (target === input || !isTextField(target))) {
      event.preventDefault();
      go("next-remark");
    } else if (event.key === "PageUp" && (target === input || !isTextField(target))) {
      event.preventDefault();
      go("previous-remark");
    } else if (event.key === "Escape" && input && target === input) {
      input.value = "";
      boxesFromKeys();
    } else if (input && !isTextField(target) && /^[0-9]$/.test(event.key)) {
      // A key typed after a click on a box goes to the keys field, not to the page.
      event.preventDefault();
      input.focus();
      if (input.value && !/\s$/.test(input.value)) input.value += " ";
      input.value += event.key;
      boxesFromKeys();
    } else if (event.key === "Enter" && target && target.name === "categories") {
      event.preventDefault();
      form.requestSubmit(form.querySelector("button[value=save]"));
    }
  });

  // One remark, one post: a second Enter while the page changes does nothing.
  let sent = false;
  form.addEventListener("submit", function (event) {
    if (sent) event.preventDefault();
    sent = true;
  });
  window.addEventListener("pageshow", function () {
    sent = false;
  });
})();
