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
      section.hidden = kind === null || section.dataset.kind !== kind;  // a kind first, then its section
    });
  }
  form.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();

// Acceptable specialties: the list (and the search picker.js puts above it) shows only
// when "only the ticked ones" is chosen; without this script every checkbox is there to tap.
(function () {
  "use strict";
  var fieldset = document.querySelector("fieldset.acceptable-specialties");
  if (!fieldset) return;
  function scopeChanged() {
    var checked = fieldset.querySelector("input[name=specialty_scope]:checked");
    var chosen = Boolean(checked && checked.value === "chosen");
    fieldset.querySelectorAll(".picker-list, .picker-search").forEach(function (part) {
      part.hidden = !chosen;
    });
  }
  fieldset.querySelectorAll("input[name=specialty_scope]").forEach(function (radio) {
    radio.addEventListener("change", scopeChanged);
  });
  // picker.js (deferred, after this one) adds its search box before DOMContentLoaded.
  document.addEventListener("DOMContentLoaded", scopeChanged);
})();
