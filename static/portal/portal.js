// The portal's own behaviour, kept small: confirmations for destructive buttons and "select all" boxes.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("change", function (event) {
  const master = event.target.closest("[data-select-all]");
  if (!master) return;
  document.querySelectorAll(master.dataset.selectAll).forEach(function (box) { box.checked = master.checked; });
});
// Area drill-down: choosing an area puts its code into the form's "area" field and reloads the list.
document.addEventListener("change", function (event) {
  const select = event.target.closest("[data-area-select]");
  if (!select) return;
  const form = select.closest("form");
  form.querySelector("input[name=area]").value = select.value;
  form.submit();
});
// Forms marked data-submit-once send once: the first submit disables their buttons and any further
// submit (a double click, Enter pressed twice) is dropped. A courtesy only: the server records each
// page once by the form's token whatever the browser does.
document.addEventListener("submit", function (event) {
  const form = event.target.closest("[data-submit-once]");
  if (!form) return;
  if (form.dataset.submitting) {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "1";
  // After this event: a button disabled now would drop its own name/value from what is sent.
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
      button.disabled = true;
    });
  }, 0);
});
// Coming back to a page from the browser's history: its forms may be submitted again.
window.addEventListener("pageshow", function () {
  document.querySelectorAll("[data-submit-once][data-submitting]").forEach(function (form) {
    delete form.dataset.submitting;
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
  });
});
// No inline handlers anywhere (the Content-Security-Policy runs no inline script): buttons and fields say
// what they do with data attributes. data-print prints the page; data-history-back goes back a page;
// data-submit-on-change sends its form when the value changes (the language switch).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
    return;
  }
  const back = event.target.closest("[data-history-back]");
  if (back && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
document.addEventListener("change", function (event) {
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) field.form.submit();
});
