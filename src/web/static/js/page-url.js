// Sign-in answers with the home page itself (one round trip less than a redirect to
// it, 400 ms on a slow link). This puts the page's own address in the address bar,
// so a reload or a bookmark asks for the page, never the sign-in again.
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-url");
  if (url && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", url);
  }
})();
