// A launch in a frame that kept no cookie (lti/check_state.html): the login kept its state
// in the LMS's platform storage (lti-login.js). Only if the state found there is this
// launch's did this browser begin the login: then post the launch again, saying so.
(function () {
  "use strict";
  var form = document.getElementById("lti-state-check");
  if (!form) return;
  var state = form.elements.state.value;
  var fail = function () {
    document.getElementById("lti-checking").hidden = true;
    document.getElementById("lti-unchecked").hidden = false;
  };
  var storage = window.ltiPlatformStorage(form.dataset.storageTarget, form.dataset.storageOrigin);
  if (!storage) {
    fail();
    return;
  }
  storage.get("state_" + state).then(function (value) {
    if (value === state) form.submit();
    else fail();
  }, fail);
})();
