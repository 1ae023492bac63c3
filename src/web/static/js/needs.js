// Post-a-need form: show only the section of the chosen kind (the page works without this).
(function () {
  "use strict";
  var form = document.getElementById("need-form");
  if (!form) return;
  var sections = form.querySelectorAll(".kind-section");
  function update() {
    var checked = form.querySelector("input[name=kind]:checked");
    var kind = checked ? checked.value : null;
    sections.forEach(function (section) {
      section.hidden = kind !== null && section.dataset.kind !== kind;
    });
  }
  form.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
