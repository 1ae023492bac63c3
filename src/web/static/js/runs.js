// Live progress of ranking runs: polls GET /api/runs/{id} every second for each
// element marked data-run-active, updates its fields, reloads the page once a run
// has finished (so the counts, errors and unfillable needs show). Without JS the
// page still works: reload it by hand.
(function () {
  "use strict";
  const FINISHED = ["succeeded", "failed", "overtaken"];

  function update(box, run) {
    box.querySelectorAll("[data-run-field]").forEach(function (el) {
      const field = el.getAttribute("data-run-field");
      if (!(field in run)) return;
      if (el.tagName === "PROGRESS") {
        el.value = run[field];
        el.textContent = run[field] + "%";
      } else if (field === "status") {
        el.className = "badge badge-" + run.status;
        el.textContent = el.getAttribute("data-label-" + run.status) || run.status;
      } else {
        el.textContent = String(run[field]);
      }
    });
  }

  function watch(box) {
    const id = box.getAttribute("data-run-id");
    const timer = window.setInterval(function () {
      fetch("/api/runs/" + encodeURIComponent(id), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (run) {
          update(box, run);
          if (FINISHED.indexOf(run.status) !== -1) {
            window.clearInterval(timer);
            window.location.reload();
          }
        })
        .catch(function () {
          window.clearInterval(timer);
        });
    }, 1000);
  }

  document.querySelectorAll("[data-run-active]").forEach(watch);
})();
