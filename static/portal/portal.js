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
