// Small enhancements on top of htmx; every page works without this file.
// - announce saves and feedback in the live region, and move focus after a swap;
// - save answers as they change, and never lose one (the save queue below);
// - say so when a checked answer, a flag or a move to another question didn't get through;
// - count down a time limit;
// - stop a double click from sending a form twice.
//
// The save protocol (quizzes.views.attempt_question keeps the server's side): every autosave
// POST carries "X-Answer-Revision: n", n counting up with each change to one attempt
// question, and an answer is saved only when a 2xx reply echoes n in "X-Answer-Saved". Any
// other reply (401 when signed out, 403, 404, 409, 5xx, a login page after a redirect, no
// reply, none within 15 s) leaves it "Not saved yet". Until the echo comes, the change waits
// in this tab's sessionStorage: it is restored into the form after a reload, and sent again
// (after the save in flight for its question; after a failure, with a growing delay) even
// once the student has moved on to another question. Field names and values are opaque:
// what the form serialises is sent, kept and restored as it is.
(function () {
  "use strict";
  var canSave = !!(window.fetch && window.FormData && window.URLSearchParams);
  // With scripts on, answers save as they change: the save buttons are only for no-JS.
  if (canSave) document.documentElement.classList.add("js");

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
      return; // a save's status or a flag: leave focus where the student is working
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

  // ---- The save queue -------------------------------------------------------------------
  var SAVE_TIMEOUT = 15000;
  var FIRST_RETRY = 2000;
  var LONGEST_RETRY = 30000;
  var TYPING_PAUSE = 1000;
  var STORE = "orbit:unsaved-answers"; // question URL -> {revision, fields, attempt, number, refused}
  var REVISIONS = "orbit:answer-revisions"; // question URL -> the last revision given out

  function read(key) {
    try { return JSON.parse(window.sessionStorage.getItem(key)) || {}; } catch (error) { return {}; }
  }
  function write(key, value) {
    // Storage off or full: the queue still works for as long as the page stays open.
    try { window.sessionStorage.setItem(key, JSON.stringify(value)); } catch (error) { /* kept in memory */ }
  }

  var unsaved = read(STORE);
  var revisions = read(REVISIONS);
  var inFlight = {}, retryTimers = {}, delays = {}, failures = {}, lastFields = {};
  var signedOut = false; // a 401's message stays on the status line until a save gets through
  var submitting = null; // the summary's submit form, held until every answer is saved
  var refreshWhenSaved = false; // the summary was drawn before this tab's answers were saved
  var typing = null; // {form, timer}: text typed, waiting for a pause

  function persist() { write(STORE, unsaved); }
  function answerForm() { return document.getElementById("answer-form"); }
  function statusLine() { return document.getElementById("save-status"); }
  function urlOf(form) { return form.getAttribute("action"); }
  function pageAttempt() {
    var element = document.querySelector("[data-attempt]");
    return element && element.getAttribute("data-attempt");
  }

  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      // The CSRF token goes in a header, fresh from the cookie: a kept one may be stale.
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") fields.push([name, value]);
    });
    return fields;
  }

  function restore(form, fields) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || /^(hidden|submit|button|reset|file)$/.test(field.type)) return;
      var values = fields.filter(function (pair) { return pair[0] === field.name; })
        .map(function (pair) { return pair[1]; });
      if (field.type === "radio" || field.type === "checkbox") {
        field.checked = values.indexOf(field.value) !== -1;
      } else if (field.tagName === "SELECT") {
        Array.prototype.forEach.call(field.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else {
        var index = seen[field.name] || 0; // fields sharing a name come back in order
        seen[field.name] = index + 1;
        field.value = index < values.length ? values[index] : "";
      }
    });
  }

  function csrfToken() {
    var cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (cookie) return decodeURIComponent(cookie[1]);
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (error) { return ""; }
  }

  function queueChange(form) {
    var url = urlOf(form);
    var fields = fieldsOf(form);
    var key = JSON.stringify(fields);
    if (key === lastFields[url]) return; // e.g. the change event when leaving a typed field
    lastFields[url] = key;
    revisions[url] = (revisions[url] || 0) + 1;
    write(REVISIONS, revisions);
    unsaved[url] = {
      revision: revisions[url], fields: fields,
      attempt: form.getAttribute("data-attempt"), number: form.getAttribute("data-number")
    };
    persist();
    // The student's own change is worth a try now, whatever the delay after a failure.
    if (retryTimers[url]) {
      window.clearTimeout(retryTimers[url]);
      delete retryTimers[url];
    }
    send(url);
    showStatus();
  }

  function flushTyping() {
    if (!typing) return;
    window.clearTimeout(typing.timer);
    var form = typing.form;
    typing = null;
    queueChange(form);
  }

  // One request per question at a time, so an older answer can never land after a newer one.
  function send(url) {
    var entry = unsaved[url];
    if (!entry || entry.refused || inFlight[url] || retryTimers[url]) return;
    var revision = String(entry.revision);
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    var controller = window.AbortController ? new AbortController() : null;
    var timedOut = false;
    var timer = window.setTimeout(function () {
      timedOut = true;
      if (controller) controller.abort();
    }, SAVE_TIMEOUT);
    inFlight[url] = revision;
    window.fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined,
      headers: { "HX-Request": "true", "X-Answer-Revision": revision, "X-CSRFToken": csrfToken() }
    }).then(function (reply) {
      return reply.text().then(function (text) { settle(url, revision, reply, text); });
    }).catch(function () {
      if (inFlight[url] === revision) failed(url, timedOut ? "server" : "network");
    }).then(function () {
      window.clearTimeout(timer);
    });
  }

  function settle(url, revision, reply, text) {
    delete inFlight[url];
    var entry = unsaved[url];
    var newest = !!entry && String(entry.revision) === revision;
    if (reply.ok && reply.headers.get("X-Answer-Saved") === revision) {
      signedOut = false;
      delete failures[url];
      delete delays[url];
      if (newest) {
        delete unsaved[url];
        persist();
      }
      applyReply(url, text, newest);
      if (!newest) send(url); // a change made meanwhile waited for this one
    } else if (reply.status === 409 && reply.headers.get("HX-Retarget")) {
      // The attempt is closed (time is up, or another tab submitted it): no answer can
      // change any more, and the reply says what was kept.
      forgetAttempt(entry && entry.attempt);
      htmx.swap(reply.headers.get("HX-Retarget"), text,
        { swapStyle: reply.headers.get("HX-Reswap") || "innerHTML" }, {});
      return;
    } else if (reply.status === 400 && newest) {
      // The answer itself is refused (not a number, too long): the form says why, and it
      // is kept for the student to correct, not sent again as it is.
      entry.refused = true;
      persist();
      applyReply(url, text, true);
    } else if (reply.status === 400) {
      send(url); // refused, but a newer change is waiting
    } else {
      if (reply.status === 401) showSignedOut(text);
      failed(url, "server");
      return;
    }
    showStatus();
    queueDrained();
  }

  // The 401's status line: "You were signed out", with a link to sign in and come back.
  function showSignedOut(html) {
    if (html.indexOf('id="save-status"') === -1) return; // not ours (a proxy's page, say)
    signedOut = true;
    htmx.swap(document.body, html, { swapStyle: "none", ignoreTitle: true }, {});
    var line = statusLine();
    if (line) line.setAttribute("data-js-status", ""); // cleared once a save gets through
  }

  function failed(url, reason) {
    delete inFlight[url];
    failures[url] = reason;
    var delay = delays[url] || FIRST_RETRY;
    delays[url] = Math.min(delay * 2, LONGEST_RETRY);
    retryTimers[url] = window.setTimeout(function () {
      delete retryTimers[url];
      send(url);
    }, delay);
    showStatus();
  }

  // Swap in what a reply changed (progress, navigator, and the status line when the saved
  // question is the one on screen and nothing newer waits for it).
  function applyReply(url, html, current) {
    var form = answerForm();
    if (!form) return; // the summary: it is drawn again once everything is saved
    var holder = document.createElement("template");
    holder.innerHTML = html;
    var line = holder.content.querySelector("#save-status");
    if (line && !(current && form && urlOf(form) === url)) line.parentNode.removeChild(line);
    htmx.swap(document.body, holder.innerHTML, { swapStyle: "none", ignoreTitle: true }, {});
  }

  function forgetAttempt(attempt) {
    Object.keys(unsaved).forEach(function (url) {
      if (unsaved[url].attempt !== attempt) return;
      delete unsaved[url];
      window.clearTimeout(retryTimers[url]);
      delete retryTimers[url];
      delete failures[url];
    });
    persist();
  }

  function waiting(attempt) {
    return Object.keys(unsaved).filter(function (url) {
      return unsaved[url].attempt === attempt && !unsaved[url].refused;
    });
  }

  function failingElsewhere(attempt, except) {
    var urls = waiting(attempt).filter(function (url) { return url !== except && failures[url]; });
    return urls.length ? unsaved[urls[0]].number : "";
  }

  function sendAll(attempt) {
    waiting(attempt).forEach(send);
  }

  function queueDrained() {
    var attempt = pageAttempt();
    if (!attempt || waiting(attempt).length) return;
    if (submitting) {
      var form = submitting;
      submitting = null;
      form.submit();
    } else if (refreshWhenSaved) {
      refreshWhenSaved = false;
      window.location.reload(); // the summary now lists what the server holds
    }
  }

  // The status line says what the queue is doing, when there is something to say.
  function showStatus() {
    var line = statusLine();
    var attempt = pageAttempt();
    if (!line || !attempt || signedOut) return;
    var form = answerForm();
    var url = form && form.hasAttribute("data-autosave") ? urlOf(form) : null;
    var mine = url && unsaved[url];
    var text = "", failing = true, other;
    if (mine && mine.refused) return;
    if (mine && failures[url]) {
      text = words(failures[url] === "network" ? "unsaved" : "unsavedServer");
    } else if ((other = failingElsewhere(attempt, url))) {
      text = words("unsavedQuestion").replace("{n}", other);
    } else if (submitting) {
      text = words("savingBeforeSubmit");
      failing = false;
    } else if (mine) {
      text = words("saving");
      failing = false;
    }
    setLine(line, text, failing);
  }

  function setLine(line, text, failing) {
    if (!text) { // clear only what this script (or a 401) put there
      if (line.hasAttribute("data-js-status")) {
        line.textContent = "";
        line.removeAttribute("data-js-status");
        line.classList.remove("error");
      }
      return;
    }
    if (line.hasAttribute("data-js-status") && line.textContent === text) return;
    line.textContent = text;
    line.setAttribute("data-js-status", "");
    line.classList.toggle("error", failing);
    if (failing) announce(text);
  }

  // A new question screen (page load, "Next", a history restore): put back what this tab
  // has not saved yet, and send whatever of this attempt still waits.
  function setUpScreen() {
    var attempt = pageAttempt();
    if (!canSave || !attempt) return;
    var form = answerForm();
    if (form && form.hasAttribute("data-autosave") && !form.hasAttribute("data-set-up")) {
      form.setAttribute("data-set-up", "");
      var entry = unsaved[urlOf(form)];
      if (entry) restore(form, entry.fields);
      lastFields[urlOf(form)] = JSON.stringify(fieldsOf(form));
      if (entry && entry.refused) setLine(statusLine(), words("refused"), true);
    }
    if (!form && waiting(attempt).length) refreshWhenSaved = true;
    sendAll(attempt);
    showStatus();
  }

  if (canSave) {
    document.addEventListener("change", function (event) {
      var form = event.target.form;
      if (!form || !form.hasAttribute("data-autosave")) return;
      if (typing && typing.form === form) {
        window.clearTimeout(typing.timer);
        typing = null;
      }
      queueChange(form);
    });
    document.addEventListener("input", function (event) {
      var field = event.target, form = field.form;
      if (!form || !form.hasAttribute("data-autosave")) return;
      if (!/^(text|textarea|search|number|tel|url|email)$/.test(field.type)) return; // choices save on change
      if (typing) window.clearTimeout(typing.timer);
      typing = { form: form, timer: window.setTimeout(flushTyping, TYPING_PAUSE) };
    });
    document.addEventListener("htmx:beforeRequest", flushTyping); // leaving mid-word
    document.addEventListener("htmx:load", function (event) {
      var elt = event.detail.elt;
      if (elt && elt.querySelector && (elt.id === "attempt-screen" || elt.querySelector("#answer-form"))) setUpScreen();
    });
    window.addEventListener("online", function () {
      Object.keys(retryTimers).forEach(function (url) {
        window.clearTimeout(retryTimers[url]);
        delete retryTimers[url];
        send(url);
      });
    });
    setUpScreen();
  }

  // Leaving the site (closing the tab) would lose answers that never reached the server;
  // moving within it keeps them in this tab's storage.
  var leavingWithinSite = false;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (link && link.origin === window.location.origin && !link.hasAttribute("hx-get") &&
        !link.target) {
      leavingWithinSite = true;
    }
  });
  // The language switch reloads this very page, and what this tab kept comes back with it.
  document.addEventListener("submit", function (event) {
    if (event.target.closest(".language-switch")) leavingWithinSite = true;
  });
  window.addEventListener("beforeunload", function (event) {
    flushTyping();
    var attempt = pageAttempt();
    if (!leavingWithinSite && attempt && failingElsewhere(attempt, null)) event.preventDefault();
    leavingWithinSite = false;
  });

  // ---- Other requests: a checked answer, a flag, a move to another question ----------------
  function requestFailed(event, reason) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 401 && xhr.responseText.indexOf('id="save-status"') !== -1) {
      showSignedOut(xhr.responseText);
      return;
    }
    var line = statusLine();
    // Nothing was swapped, so the student's choice is still on the page.
    if (line) setLine(line, words(reason === "network" ? "notSent" : "notSentServer"), true);
  }
  document.addEventListener("htmx:sendError", function (event) { requestFailed(event, "network"); });
  document.addEventListener("htmx:timeout", function (event) { requestFailed(event, "server"); });
  document.addEventListener("htmx:responseError", function (event) { requestFailed(event, "server"); });
  // The CSRF cookie changes when the student signs in again (maybe in another tab).
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) event.detail.headers["X-CSRFToken"] = token;
  });

  // Countdown: the server enforces the deadline; this only shows it.
  var warned = {};
  function tick() {
    var timer = document.getElementById("timer");
    if (!timer) return;
    var left = Math.round((Date.parse(timer.getAttribute("data-deadline")) - Date.now()) / 1000);
    var value = timer.querySelector(".timer-value");
    if (left <= 0) {
      leavingWithinSite = true;
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

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // Enter in a typed answer: save it like any other change, without leaving the page.
    if (canSave && form.hasAttribute("data-autosave")) {
      event.preventDefault();
      queueChange(form);
      return;
    }
    if (!form.hasAttribute("data-submit-once")) return;
    // One submission per click, even on a double click.
    if (form.hasAttribute("data-submitting")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "");
    leavingWithinSite = true;
    // Submitting before this tab's last answers are saved would leave them out.
    var attempt = form.getAttribute("data-attempt");
    if (canSave && attempt && waiting(attempt).length) {
      event.preventDefault();
      submitting = form;
      sendAll(attempt);
      showStatus();
      announce(words("savingBeforeSubmit"));
    }
  });
})();
