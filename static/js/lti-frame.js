// The quiz in an LMS's frame (lti/attempt.html):
// - asks the LMS to fit the frame to the page whenever its height changes, with LTI's
//   lti.frameResize message (Canvas answers it);
// - counts down a timed attempt: the server enforces the deadline, this only shows it,
//   says when 5 minutes and 1 minute are left, and at the end asks for the page again
//   (the results, as the server closed the attempt).
(function () {
  "use strict";
  if (window.parent !== window && "ResizeObserver" in window) {
    var root = document.documentElement;
    var asked = 0;
    new ResizeObserver(function () {
      var height = Math.ceil(root.getBoundingClientRect().height);
      if (height === asked) return;
      asked = height;
      // A height only, nothing secret: any LMS may read it (its origin is unknown here).
      window.parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
    }).observe(root);
  }

  var warned = {};
  function announce(text) {
    var region = document.getElementById("announcer");
    if (region && text) region.textContent = text;
  }
  function tick() {
    var timer = document.getElementById("timer");
    if (!timer) return;
    var left = Math.round((Date.parse(timer.dataset.deadline) - Date.now()) / 1000);
    if (left <= 0) {
      var timeUp = document.getElementById("time-up");
      timer.removeAttribute("id"); // asked once
      if (timeUp) timeUp.requestSubmit();
      return;
    }
    var minutes = Math.floor(left / 60), seconds = left % 60;
    timer.querySelector(".timer-value").textContent =
      minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    [5, 1].forEach(function (mark) {
      if (left <= mark * 60 && left > mark * 60 - 5 && !warned[mark]) {
        warned[mark] = true;
        announce(mark === 1 ? timer.dataset.oneMinute : timer.dataset.fiveMinutes);
      }
    });
  }
  window.setInterval(tick, 1000);
  tick();
})();
