// LTI's platform storage (the lti_storage_target postMessage flow): the LMS keeps a few
// values for a tool whose frame may keep no cookie. `target` names the LMS's window that
// answers (the frame's parent, or one of its frames) and `origin` is the LMS's login
// address's: messages go only there, and only its answers count.
window.ltiPlatformStorage = function (target, origin) {
  "use strict";
  if (!target || !origin || window.parent === window) return null;
  var answerer;
  try {
    answerer = target === "_parent" ? window.parent : window.parent.frames[target];
  } catch (error) {
    return null;
  }
  if (!answerer) return null;

  function ask(subject, message) {
    return new Promise(function (resolve, reject) {
      var id = subject + "-" + Date.now() + "-" + Math.random().toString(36).slice(2);
      var timer;
      function listen(event) {
        var data = event.data;
        if (event.origin !== origin || !data || typeof data !== "object") return;
        if (data.subject !== subject + ".response" || data.message_id !== id) return;
        stop();
        if (data.error) reject(new Error(data.error.message || data.error.code));
        else resolve(data);
      }
      function stop() {
        window.clearTimeout(timer);
        window.removeEventListener("message", listen);
      }
      timer = window.setTimeout(function () {
        stop();
        reject(new Error("The LMS did not answer."));
      }, 3000);
      window.addEventListener("message", listen);
      message.subject = subject;
      message.message_id = id;
      answerer.postMessage(message, origin);
    });
  }

  return {
    put: function (key, value) {
      return ask("lti.put_data", { key: key, value: value });
    },
    get: function (key) {
      return ask("lti.get_data", { key: key }).then(function (data) { return data.value; });
    },
  };
};
