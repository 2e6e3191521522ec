// Runs inside the embed iframe; the embed works without it.
// - Tells the host page how tall the content is, whenever that changes, so the iframe
//   can grow and shrink with it. Messages follow H5P's resizer protocol
//   ({context: "h5p", action: "resize", scrollHeight}): a host page that loads our
//   orbit-embed.js or H5P's h5p-resizer.js sizes the frame without anything new.
// - In a sandboxed frame, where the quiz can't run, says where to find it.
// - After htmx swaps the practice panel, reads the news out and moves focus into it,
//   so keyboard and screen reader users stay in the frame where they were answering.
// - When a request gets no answer, or a server error, says nothing was sent: the panel
//   isn't swapped, so the student's answer stays as it was, never shown as checked.
(function () {
  "use strict";

  if (window.parent !== window && "ResizeObserver" in window) {
    var lastHeight = 0;
    var reportHeight = function () {
      var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (height === lastHeight) return;
      lastHeight = height;
      // Only a height: no secret, so any host may read it (the host's origin is unknown here).
      window.parent.postMessage({ context: "h5p", action: "resize", scrollHeight: height }, "*");
    };
    new ResizeObserver(reportHeight).observe(document.documentElement);
    // A host script that loads after this page asks again ("ready"; H5P's answers "hello").
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.source !== window.parent || !data || data.context !== "h5p") return;
      if (data.action === "ready" || data.action === "hello") {
        lastHeight = 0;
        reportHeight();
      }
    });
    window.parent.postMessage({ context: "h5p", action: "hello" }, "*");
  }

  // A sandboxed frame (WordPress sandboxes the embeds it finds by oEmbed) has no origin of
  // its own: its forms and requests can't reach the quiz, so say so instead of a dead button.
  if (window.origin === "null") {
    var start = document.querySelector("[data-start]");
    var note = document.querySelector(".sandbox-note");
    if (start && note) {
      start.hidden = true;
      note.hidden = false;
    }
  }

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) return;
    region.textContent = "";
    // Set after a tick so screen readers read it even when the text repeats.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function requestFailed(event, wordsName) {
    var region = document.getElementById("announcer");
    var panel = document.getElementById("practice-panel");
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
    if (!region || !panel) return;
    var note = document.getElementById("request-error");
    if (!note) {
      note = document.createElement("p");
      note.id = "request-error";
      note.className = "error";
      note.setAttribute("role", "alert");
      (form && panel.contains(form) ? form : panel).appendChild(note);
    }
    note.textContent = region.dataset[wordsName] || "";
    announce(note.textContent);
  }
  document.addEventListener("htmx:sendError", function (event) { requestFailed(event, "notSent"); });
  document.addEventListener("htmx:timeout", function (event) { requestFailed(event, "notSentServer"); });
  document.addEventListener("htmx:responseError", function (event) { requestFailed(event, "notSentServer"); });

  document.addEventListener("htmx:afterSettle", function () {
    var panel = document.getElementById("practice-panel");
    if (!panel) return;
    var news = panel.querySelector("[data-announce]");
    if (news) announce(news.textContent.replace(/\s+/g, " ").trim());
    var focusable = news || panel.querySelector("#question-heading");
    if (focusable) {
      focusable.setAttribute("tabindex", "-1");
      focusable.focus();
    }
  });
})();
