// Doctor profile: progressive enhancement only (the form works without it).
// Preselect the browser's time zone when the time zone field is empty.
// (Search-as-you-type over the specialty and skill lists: picker.js.)
(function () {
  "use strict";

  var zone = document.querySelector("select[data-browser-default]");
  if (zone && !zone.value && window.Intl && Intl.DateTimeFormat) {
    var browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browserZone && zone.querySelector('option[value="' + CSS.escape(browserZone) + '"]')) {
      zone.value = browserZone;
    }
  }
})();
