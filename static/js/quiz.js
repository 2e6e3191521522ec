// Small enhancements on top of htmx; every page works without this file.
// - announce saves and feedback in the live region, and move focus after a swap;
// - retry an autosave that failed because the network dropped;
// - count down a time limit;
// - stop a double click from sending a form twice.
(function () {
  "use strict";
  // With scripts on, answers save as they change: the save buttons are only for no-JS.
  document.documentElement.classList.add("js");

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) return;
    region.textContent = "";
    // Set after a tick so screen readers read it even when the text repeats.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  // Words come translated from the page (data-* on the live region).
  function words(name) {
    var region = document.getElementById("announcer");
    return (region && region.dataset[name]) || "";
  }

  function textOf(element) {
    return element.textContent.replace(/\s+/g, " ").trim();
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var news = document.querySelector("[data-announce]:not([data-announced])");
    if (news) {
      news.setAttribute("data-announced", "");
      announce(textOf(news));
    }
    if (!target || event.detail.requestConfig && event.detail.requestConfig.verb === "post" &&
        target.id !== "attempt-screen" && target.id !== "main") {
      return; // an autosave or a flag: leave focus where the student is working
    }
    // After an outerHTML swap the target is the old, detached element: find the new one.
    var root = (target.id && document.getElementById(target.id)) || target;
    var focusable = root.querySelector(".feedback") || root.querySelector("#closed-message") ||
      root.querySelector("#question-heading");
    if (focusable) {
      focusable.setAttribute("tabindex", "-1");
      focusable.focus();
    }
  });

  // Autosave: if the request never reached the server, say so and try again.
  var retryDelay = 2000;
  var retryTimer = null;
  function statusLine() { return document.getElementById("save-status"); }

  function retry(form) {
    if (retryTimer) return;
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      if (document.body.contains(form)) htmx.trigger(form, "change");
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function markUnsaved(form) {
    form.setAttribute("data-unsaved", "");
    var line = statusLine();
    if (line) {
      line.classList.add("error");
      line.textContent = words("unsaved");
      announce(line.textContent);
    }
    retry(form);
  }

  document.addEventListener("htmx:sendError", function (event) {
    var form = event.detail.elt;
    if (form && form.hasAttribute && form.hasAttribute("data-autosave")) {
      markUnsaved(form);
      return;
    }
    // A checked answer or a link that never left: say so, so nobody waits for nothing.
    var line = statusLine();
    if (line) {
      line.classList.add("error");
      line.textContent = words("notSent");
      announce(line.textContent);
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var form = event.detail.elt;
    if (form && form.hasAttribute && form.hasAttribute("data-autosave")) markUnsaved(form);
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form && form.hasAttribute && form.hasAttribute("data-autosave")) {
      form.removeAttribute("data-unsaved");
      retryDelay = 2000;
    }
  });
  window.addEventListener("online", function () {
    var form = document.querySelector("form[data-unsaved]");
    if (form) htmx.trigger(form, "change");
  });
  window.addEventListener("beforeunload", function (event) {
    if (document.querySelector("form[data-unsaved]")) event.preventDefault();
  });

  // Countdown: the server enforces the deadline; this only shows it.
  var warned = {};
  function tick() {
    var timer = document.getElementById("timer");
    if (!timer) return;
    var left = Math.round((Date.parse(timer.getAttribute("data-deadline")) - Date.now()) / 1000);
    var value = timer.querySelector(".timer-value");
    if (left <= 0) {
      window.location.assign(timer.getAttribute("data-expired-url"));
      return;
    }
    var minutes = Math.floor(left / 60), seconds = left % 60;
    value.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    [5, 1].forEach(function (mark) {
      if (left <= mark * 60 && left > mark * 60 - 5 && !warned[mark]) {
        warned[mark] = true;
        announce(words(mark === 1 ? "oneMinute" : "fiveMinutes"));
      }
    });
  }
  window.setInterval(tick, 1000);
  tick();

  // One submission per click, even on a double click.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-submit-once")) return;
    if (form.hasAttribute("data-submitting")) { event.preventDefault(); return; }
    form.setAttribute("data-submitting", "");
  });
})();
