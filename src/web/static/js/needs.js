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

// Acceptable specialties: the list shows only when "only the ticked ones" is chosen,
// and can be searched by typing (English or Arabic, through the taxonomy search);
// without this script every checkbox is there to tap.
(function () {
  "use strict";
  var fieldset = document.querySelector("fieldset.acceptable-specialties");
  if (!fieldset) return;
  var list = fieldset.querySelector(".picker-list");
  var items = Array.prototype.slice.call(list.querySelectorAll(".picker-item"));
  var wrapper = document.createElement("div");
  wrapper.className = "field picker-search";
  var label = document.createElement("label");
  var input = document.createElement("input");
  input.type = "search";
  input.id = "search-acceptable-specialties";
  input.autocomplete = "off";
  label.htmlFor = input.id;
  label.textContent = fieldset.getAttribute("data-search-label") || "";
  var status = document.createElement("p");
  status.className = "hint";
  status.setAttribute("aria-live", "polite");
  wrapper.appendChild(label);
  wrapper.appendChild(input);
  wrapper.appendChild(status);
  list.parentNode.insertBefore(wrapper, list);

  function scopeChanged() {
    var checked = fieldset.querySelector("input[name=specialty_scope]:checked");
    var chosen = checked && checked.value === "chosen";
    list.hidden = !chosen;
    wrapper.hidden = !chosen;
  }
  fieldset.querySelectorAll("input[name=specialty_scope]").forEach(function (radio) {
    radio.addEventListener("change", scopeChanged);
  });
  scopeChanged();

  var timer = null;
  var latest = 0;
  function show(codes) {
    var shown = 0;
    items.forEach(function (item) {
      var box = item.querySelector("input");
      var visible = codes === null || codes.has(item.getAttribute("data-code")) || box.checked;
      item.hidden = !visible;
      if (visible) { shown += 1; }
    });
    status.textContent = codes === null ? "" : String(shown);
  }
  function search() {
    var query = input.value.trim();
    if (!query) { show(null); return; }
    var ticket = ++latest;
    fetch("/api/taxonomy/search?kind=specialty&limit=100&q=" + encodeURIComponent(query), {
      credentials: "same-origin", headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (hits) {
        if (ticket !== latest) { return; }
        show(new Set(hits.map(function (hit) { return hit.code; })));
      })
      .catch(function () { show(null); });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); }
  });
})();
