// Test fixture: the host page's side of H5P's iframe resizing protocol, as H5P's own
// h5p-resizer.js (h5p/h5p-php-library, js/h5p-resizer.js) speaks it. That file is
// GPL-3.0 (the library's composer.json), so it is not copied into this project: this is
// a re-implementation, message for message, written from reading it. Keep it faithful:
// no origin checks, no validation, nothing H5P's script does not do.
//
// Two generations of the script are on host pages; pick with data-generation on the tag.
// - "current": answers "hello" with "hello" (and sets the frame's width to 100%); on
//   "prepareResize", unless the frame already fits (its clientHeight equals scrollHeight,
//   and scrollHeight equals clientHeight), sets the frame's height to the clientHeight it
//   was sent and answers "resizePrepared"; on "resize", sets the height to scrollHeight.
//   Loaded after a frame, it posts "ready" only to frames whose src contains "h5p".
// - "legacy": the same, except that "prepareResize" always shrinks the frame to 1px and
//   answers "resizePrepared", "resize" reads `height`, and it posts no "ready".
// Both send "resize" to every frame that said hello when the host window resizes.
(function () {
  var legacy = document.currentScript.dataset.generation === "legacy";
  if (!legacy && window.h5pResizerInitialized) return;
  window.h5pResizerInitialized = true;

  var handlers = {
    hello: function (frame, data, respond) {
      frame.style.width = "100%";
      var onWindowResize = function () {
        if (frame.contentWindow) respond("resize");
        else window.removeEventListener("resize", onWindowResize);
      };
      window.addEventListener("resize", onWindowResize, false);
      respond("hello");
    },
    prepareResize: function (frame, data, respond) {
      if (legacy) {
        var parentHeight = frame.parentElement.style.height;
        frame.style.height = "1px";
        respond("resizePrepared", { parentHeight: parentHeight });
      } else if (frame.clientHeight !== data.scrollHeight || data.scrollHeight !== data.clientHeight) {
        frame.style.height = data.clientHeight + "px";
        respond("resizePrepared");
      }
    },
    resize: function (frame, data) {
      frame.style.height = (legacy ? data.height : data.scrollHeight) + "px";
    },
  };

  window.addEventListener("message", function (event) {
    if (event.data.context !== "h5p") return;
    var frame;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        frame = frames[i];
        break;
      }
    }
    if (!frame || !handlers[event.data.action]) return;
    handlers[event.data.action](frame, event.data, function (action, data) {
      data = data || {};
      data.action = action;
      data.context = "h5p";
      event.source.postMessage(data, event.origin);
    });
  }, false);

  if (!legacy) {
    var all = document.getElementsByTagName("iframe");
    for (var j = 0; j < all.length; j++) {
      if (all[j].src.indexOf("h5p") !== -1) {
        all[j].contentWindow.postMessage({ context: "h5p", action: "ready" }, "*");
      }
    }
  }
})();
