// The kiosk locks itself once untouched (issue #19): after data-idle-seconds without a tap or key, the page goes to
// the locked screen, which shows nothing of the patient. The server locks the session too; this only clears the
// screen without waiting for the next tap.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  var lockedUrl = body.getAttribute("data-locked-url");
  if (!seconds || !lockedUrl) {
    return;
  }
  var timer = null;
  function arm() {
    if (timer) {
      window.clearTimeout(timer);
    }
    timer = window.setTimeout(function () {
      window.location.replace(lockedUrl);
    }, (seconds + 1) * 1000);
  }
  ["pointerdown", "keydown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, arm, { passive: true });
  });
  arm();
})();
