// An LMS's login, in its frame (lti/views.py Login): go on to the LMS when the frame may keep
// this site's cookies (the login's state is one); otherwise offer the same login in a new tab.
(function () {
  "use strict";
  var link = document.querySelector("[data-platform-url]");
  var newTab = document.getElementById("lti-new-tab");
  if (!link || !newTab) return;
  var secure = location.protocol === "https:" ? "; SameSite=None; Secure" : "";
  document.cookie = "lti-cookie-check=1; path=/" + secure;
  if (document.cookie.indexOf("lti-cookie-check=1") !== -1) {
    document.cookie = "lti-cookie-check=; path=/; max-age=0" + secure;
    newTab.hidden = true;
    location.replace(link.getAttribute("data-platform-url"));
  } else {
    document.getElementById("lti-continue").hidden = true;
  }
})();
