// Taxonomy pickers (the doctor's specialties and skills, a need's wanted skills):
// progressive enhancement of a list of checkboxes (or level selects) that works
// without JavaScript, where each choice is one tap. This adds search-as-you-type
// (English or Arabic) above the list, asking the server's taxonomy search so
// Arabic spelling variants match; chosen items always stay visible.
(function () {
  "use strict";

  function isChosen(item) {
    var box = item.querySelector("input[type=checkbox]");
    if (box) { return box.checked; }
    var select = item.querySelector("select");
    return Boolean(select && select.value);
  }

  // A checkbox item's code is its box's value; a level row names it in data-code.
  function codeOf(item) {
    var box = item.querySelector("input[type=checkbox]");
    return item.getAttribute("data-code") || (box ? box.value : "");
  }

  function setUp(fieldset) {
    var kind = fieldset.getAttribute("data-kind");
    var list = fieldset.querySelector(".picker-list");
    if (!kind || !list) { return; }
    var items = Array.prototype.slice.call(list.querySelectorAll(".picker-item"));
    var codes = items.map(codeOf);
    var wrapper = document.createElement("div");
    wrapper.className = "field picker-search";
    var label = document.createElement("label");
    var input = document.createElement("input");
    input.type = "search";
    input.id = "search-" + kind;
    input.autocomplete = "off";
    label.htmlFor = input.id;
    // The text comes translated from the page (data-search-label), like every other text.
    label.textContent = fieldset.getAttribute("data-search-label") || "";
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("aria-live", "polite");
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    wrapper.appendChild(status);
    list.parentNode.insertBefore(wrapper, list);

    var timer = null;
    var latest = 0;
    function show(found) {
      var shown = 0;
      items.forEach(function (item, index) {
        var visible = found === null || found.has(codes[index]) || isChosen(item);
        item.hidden = !visible;
        if (visible) { shown += 1; }
      });
      status.textContent = found === null ? "" : String(shown);
    }
    function search() {
      var query = input.value.trim();
      if (!query) { show(null); return; }
      var ticket = ++latest;
      var url = "/api/taxonomy/search?kind=" + encodeURIComponent(kind) +
        "&limit=100&q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
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
  }

  Array.prototype.forEach.call(document.querySelectorAll(".taxonomy-picker"), setUp);
})();
