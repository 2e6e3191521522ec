// An LMS's login, in its frame (lti/views.py Login): go on to the LMS once the login's
// state is kept where the launch can check it: in a cookie when the frame may keep this
// site's cookies, or else in the LMS's platform storage (lti-storage.js) when it offers
// one. If neither, offer the same login in a new tab.
(function () {
  "use strict";
  var link = document.querySelector("[data-platform-url]");
  var newTab = document.getElementById("lti-new-tab");
  if (!link || !newTab) return;
  var platformUrl = link.getAttribute("data-platform-url");
  var goOn = function () {
    newTab.hidden = true;
    location.replace(platformUrl);
  };
  var offerNewTab = function () {
    document.getElementById("lti-continue").hidden = true;
    newTab.hidden = false;
  };

  var secure = location.protocol === "https:" ? "; SameSite=None; Secure" : "";
  document.cookie = "lti-cookie-check=1; path=/" + secure;
  if (document.cookie.indexOf("lti-cookie-check=1") !== -1) {
    document.cookie = "lti-cookie-check=; path=/; max-age=0" + secure;
    goOn();
    return;
  }
  var storage = window.ltiPlatformStorage(link.dataset.storageTarget, link.dataset.storageOrigin);
  if (!storage) {
    offerNewTab();
    return;
  }
  newTab.hidden = true;
  var state = new URL(platformUrl).searchParams.get("state");
  storage.put("state_" + state, state).then(goOn, offerNewTab);
})();
