// Runs inside the embed iframe; the embed works without it.
// - Asks the host page to fit the iframe to the content, whenever its height changes, in
//   H5P's resizer protocol, so that a host page with our orbit-embed.js or H5P's
//   h5p-resizer.js (either generation) sizes the frame:
//     frame: hello                            host: hello (it will size the frame)
//     frame: prepareResize {scrollHeight, clientHeight}
//                                             host: resizePrepared (frame reset if needed)
//     frame: resize {scrollHeight, height}    host sets the frame's height
//   The host also sends "ready" when its script loads after this page (we say hello
//   again) and "resize" when its window resizes (we measure again). To the older
//   h5p-resizer.js, after the first round, we send only "resize" (see resizePrepared).
// - In a sandboxed frame, where the quiz can't run, says where to find it.
// - After htmx swaps the panel (data-panel: the practice quiz, or an LMS's quiz in
//   lti/attempt.html), reads the news out and moves focus into it,
//   so keyboard and screen reader users stay in the frame where they were answering.
// - Keeps the language switch's hidden fields on the attempt and question now shown.
// - When a request gets no answer, or a server error, says nothing was sent: the panel
//   isn't swapped, so the student's answer stays as it was, never shown as checked.
(function () {
  "use strict";

  if (window.parent !== window && "ResizeObserver" in window) {
    var root = document.documentElement;
    var hostListens = false; // a host script answered hello
    var resizeStraightAway = false; // it is the older h5p-resizer.js: see resizePrepared
    var askedFor = 0; // the height last asked for
    // Only heights: no secret, so any host may read them (the host's origin is unknown here).
    var send = function (action, data) {
      data = data || {};
      data.context = "h5p";
      data.action = action;
      window.parent.postMessage(data, "*");
    };
    // No height here depends on the frame's (embed.css has no vh), so a host that shrinks
    // the frame while preparing (the older h5p-resizer.js makes it 1px) changes nothing.
    var contentHeight = function () {
      return Math.ceil(root.getBoundingClientRect().height);
    };
    var askToFit = function (again) {
      if (!hostListens) {
        send("hello");
        return;
      }
      var height = contentHeight();
      if (height === askedFor && !again) return;
      askedFor = height;
      if (resizeStraightAway) {
        send("resize", { scrollHeight: height, height: height });
      } else {
        send("prepareResize", { scrollHeight: height, clientHeight: height });
      }
    };
    window.addEventListener("message", function (event) {
      var data = event.data;
      if (event.source !== window.parent || !data || data.context !== "h5p") return;
      if (data.action === "ready") {
        send("hello");
      } else if (data.action === "hello") {
        hostListens = true;
        // Sized by the host now: a scrollbar shown while it prepares would narrow the text
        // and change the height it is about to set (embed.css hides it).
        root.classList.add("host-sized");
        askToFit(true);
      } else if (data.action === "resizePrepared") {
        // The older h5p-resizer.js (its answer carries parentHeight) shrinks the frame to
        // 1px to prepare, so the host page, shorter for a moment, scrolls back to its top
        // and loses the student's place. It sets any height it is sent: skip preparing.
        if ("parentHeight" in data) resizeStraightAway = true;
        askedFor = contentHeight();
        // H5P's resizer reads scrollHeight; its older generation reads height.
        send("resize", { scrollHeight: askedFor, height: askedFor });
      } else if (data.action === "resize") {
        askToFit(true); // the host's window changed size
      }
    });
    new ResizeObserver(function () { askToFit(false); }).observe(root);
    // H5P's resizer, loaded after this page, tells only frames whose address says "h5p"
    // that it is ready: say hello again a few times until a host script answers.
    [1000, 3000, 10000].forEach(function (delay) {
      window.setTimeout(function () { if (!hostListens) send("hello"); }, delay);
    });
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
    var panel = document.querySelector("[data-panel]");
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
    var panel = document.querySelector("[data-panel]");
    if (!panel) return;
    // The language switch posts the attempt's token and the question now on screen.
    var languageSwitch = document.querySelector(".embed-language-switch");
    if (languageSwitch) {
      languageSwitch.elements.embed_token.value = panel.dataset.token || "";
      languageSwitch.elements.number.value = panel.dataset.number || "";
    }
    var news = panel.querySelector("[data-announce]");
    if (news) announce(news.textContent.replace(/\s+/g, " ").trim());
    var focusable = news || panel.querySelector("#question-heading");
    if (focusable) {
      focusable.setAttribute("tabindex", "-1");
      focusable.focus();
    }
  });
})();
