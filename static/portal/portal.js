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
