// A form that survives a dropped connection (the need form): progressive enhancement.
// Without this script the form posts as usual. With it, the form is sent with fetch;
// when there is no connection, or the post fails on the way, what was typed is kept
// in this browser (localStorage) and sent again as soon as the link is back (the
// "online" event, and a retry every few seconds). The hidden submission_id, chosen
// once, lets the server answer a repeat with the first need instead of a second one.
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-key]");
  if (!form || !window.fetch || !window.localStorage || !window.FormData || !window.URLSearchParams) {
    return;
  }
  var key = "offline-form:" + form.getAttribute("data-offline-key");
  var RETRY_MS = 5000;
  var sending = false;
  var notice = null;

  function show(text) {
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "alert alert-info offline-notice";
      notice.setAttribute("role", "status");
      form.parentNode.insertBefore(notice, form);
    }
    notice.textContent = text || "";
  }
  function pending() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function keep(saved) {
    localStorage.setItem(key, JSON.stringify(saved));
    show(form.getAttribute("data-offline-kept"));
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return String(Date.now()) + "-" + String(Math.random()).slice(2, 12);
  }
  function send(saved) {
    if (sending) { return; }
    sending = true;
    var body = new URLSearchParams();
    saved.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    fetch(saved.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        localStorage.removeItem(key);
        // The answer is already here: the new need's page, or the form again with its
        // problems. Show it without loading it a second time (this script, replaced
        // with the page, stays inert: `sending` is never reset here).
        return response.text().then(function (html) {
          if (response.redirected) { window.history.replaceState(null, "", response.url); }
          document.open();
          document.write(html);
          document.close();
        });
      })
      .catch(function () {
        sending = false;
        keep(saved);
      });
  }
  function retry() {
    var saved = pending();
    if (saved && navigator.onLine !== false) { send(saved); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }
    var id = form.querySelector("input[name=submission_id]");
    if (id && !id.value) { id.value = newId(); }
    var data = new FormData(form);
    var button = event.submitter;
    if (button && button.name) { data.append(button.name, button.value); }
    var fields = [];
    data.forEach(function (value, name) {
      if (typeof value === "string") { fields.push([name, value]); }
    });
    // getAttribute: form.action would be the buttons named "action".
    var saved = { action: new URL(form.getAttribute("action"), location.href).href, fields: fields };
    if (navigator.onLine === false) { keep(saved); return; }
    send(saved);
  });
  window.addEventListener("online", retry);
  window.setInterval(retry, RETRY_MS);
  if (pending()) {  // kept on an earlier visit: say so, and send it if the link is up
    show(form.getAttribute("data-offline-kept"));
    retry();
  }
})();
