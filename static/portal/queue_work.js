// The contact form shows only the details the chosen outcome needs (the server drops the others too):
// each optional input carries data-shown-for="outcome outcome…"; its field wrapper is hidden otherwise.
(function () {
  const form = document.querySelector("[data-testid=contact-form]");
  if (!form) return;
  const outcome = form.querySelector("select[name=outcome]");
  function showFieldsFor() {
    form.querySelectorAll("[data-shown-for]").forEach(function (input) {
      const wrapper = input.closest("[data-field]") || input.parentElement;
      const shown = input.dataset.shownFor.split(" ").indexOf(outcome.value) !== -1;
      wrapper.hidden = !shown;
      input.disabled = !shown;
    });
  }
  outcome.addEventListener("change", showFieldsFor);
  showFieldsFor();
})();
