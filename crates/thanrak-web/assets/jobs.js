// Follows the jobs a page shows (elements with `data-job`) while they are queued or running:
// their progress bars, counts, stages and states are updated from the JSON API once a second,
// without a reload. When one of them ends, the page is loaded again once, to show its outcome.
(function () {
  "use strict";
  var UNDER_WAY = { queued: true, running: true };
  var EVERY_MS = 1000;

  function following() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-job]"), function (el) {
      return UNDER_WAY[el.getAttribute("data-state")];
    });
  }

  function show(el, job) {
    var state = el.querySelector(".job-state");
    if (state) {
      state.textContent = state.getAttribute("data-" + job.state) || job.state;
      state.className = "job-state " + job.state;
    }
    var bar = el.querySelector(".job-progress");
    if (bar) {
      bar.max = job.progress_total > 0 ? job.progress_total : 1;
      bar.value = job.progress_done;
    }
    var count = el.querySelector(".job-count");
    if (count) {
      count.textContent = job.progress_done.toLocaleString() + " / " + job.progress_total.toLocaleString();
    }
    var stage = el.querySelector(".job-stage");
    if (stage) {
      stage.textContent = stage.getAttribute("data-" + job.stage) || job.stage;
    }
    el.setAttribute("data-state", job.state);
  }

  function poll() {
    var jobs = following();
    if (jobs.length === 0) {
      return;
    }
    var ended = false;
    var pending = jobs.length;
    jobs.forEach(function (el) {
      fetch("/api/v1/jobs/" + encodeURIComponent(el.getAttribute("data-job")), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (res) {
          return res.ok ? res.json() : null;
        })
        .then(function (job) {
          if (job) {
            show(el, job);
            ended = ended || !UNDER_WAY[job.state];
          }
        })
        .catch(function () {})
        .then(function () {
          pending -= 1;
          if (pending > 0) {
            return;
          }
          if (ended) {
            window.location.reload();
          } else {
            window.setTimeout(poll, EVERY_MS);
          }
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    window.setTimeout(poll, EVERY_MS);
  });
})();
