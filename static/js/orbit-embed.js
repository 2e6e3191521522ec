// Orbit Quiz embed code: sizes this page's Orbit Quiz iframes to fit their content.
// Load it from the Orbit Quiz site, as the embed snippet does. It speaks the host's side
// of H5P's resizer protocol, as embed-frame.js expects: it answers "hello" and
// "prepareResize", and sets the height a "resize" asks for. It trusts a message only
// when it comes from one of this page's iframes (event.source) and from the site that
// served this script (event.origin), so no other frame or window can resize anything.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.postMessage) return;
  var appOrigin = new URL(script.src, window.location.href).origin;
  var loaded = window.orbitEmbedOrigins = window.orbitEmbedOrigins || {};
  if (loaded[appOrigin]) return; // two snippets on one page: one listener is enough
  loaded[appOrigin] = true;

  function frameOf(source) {
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === source) return frames[i];
    }
    return null;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== appOrigin || !data || data.context !== "h5p") return;
    var frame = frameOf(event.source);
    if (!frame) return;
    var respond = function (action) {
      event.source.postMessage({ context: "h5p", action: action }, appOrigin);
    };
    if (data.action === "hello") {
      respond("hello");
    } else if (data.action === "prepareResize") {
      // The frame's content height doesn't depend on the frame's: nothing to reset first.
      respond("resizePrepared");
    } else if (data.action === "resize") {
      var height = Math.ceil(Number(data.scrollHeight));
      if (height > 0) frame.style.height = Math.min(height, 100000) + "px";
    }
  });

  function showsApp(frame) {
    try {
      if (!frame.contentWindow || new URL(frame.src).origin !== appOrigin) return false;
    } catch (error) {
      return false; // no valid src
    }
    try {
      void frame.contentWindow.document; // readable: still the initial blank page
      return false;
    } catch (error) {
      return true; // unreadable: the quiz site's page has loaded
    }
  }

  // Frames that loaded before this script ran said hello to no one: ask them again.
  var frames = document.getElementsByTagName("iframe");
  for (var i = 0; i < frames.length; i++) {
    if (showsApp(frames[i])) {
      frames[i].contentWindow.postMessage({ context: "h5p", action: "ready" }, appOrigin);
    }
  }
})();
