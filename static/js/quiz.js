// After htmx swaps a question in, tell screen readers what changed and move focus
// to the new content, so keyboard users continue from the right place.
(function () {
  "use strict";
  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    // A fresh text node after a tick makes screen readers read it even if unchanged.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = document.getElementById("question-panel");
    if (!panel) return;
    var news = panel.querySelector("[data-announce]");
    if (news) {
      announce(news.textContent.replace(/\s+/g, " ").trim());
      news.setAttribute("tabindex", "-1");
      news.focus();
    } else {
      var heading = panel.querySelector("#question-heading");
      if (heading) heading.focus();
    }
  });
})();
