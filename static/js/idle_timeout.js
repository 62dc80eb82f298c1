// Idle timeout on screen (security.md B1/B3; ONC 170.315(d)(5); issue #17): two minutes before the server locks an
// idle session, a warning; at the end, the page moves to the lock page by itself (or, before the second sign-in
// step, to the signed-out page) so no record stays on an unattended screen. The server locks the session on its own
// too: this script only makes the screen follow. Typing or clicking counts as activity and keeps the session (a
// long note sends no request, so activity is reported to the server at most once a minute); activity in another
// tab of the app counts too.
(function () {
  "use strict";
  const body = document.body;
  const idleSeconds = Number(body.dataset.idleTimeout || 0);
  if (!idleSeconds) return;
  const keepaliveUrl = body.dataset.keepaliveUrl;
  const timeoutUrl = body.dataset.timeoutUrl;
  const warnSeconds = Math.min(120, Math.floor(idleSeconds / 4));
  const pingEverySeconds = Math.min(60, Math.floor(idleSeconds / 3));
  const element = document.getElementById("idle-warning");
  const modal = element && window.bootstrap ? new window.bootstrap.Modal(element) : null;
  const countdown = element ? element.querySelector("[data-idle-countdown]") : null;
  const channel = "BroadcastChannel" in window ? new BroadcastChannel("clinic-activity") : null;
  let lastActivity = Date.now();
  let lastPing = Date.now();
  let warning = false;
  let leaving = false;

  function leave() {
    if (leaving) return;
    leaving = true;
    // Back to this page after unlocking (paths and query strings carry no patient data: STYLE.md 3).
    const here = window.location.pathname + window.location.search;
    window.location.replace(timeoutUrl + "?next=" + encodeURIComponent(here));
  }

  function ping() {
    lastPing = Date.now();
    fetch(keepaliveUrl, { credentials: "same-origin", redirect: "manual", cache: "no-store" })
      .then(function (response) {
        if (response.status !== 204) leave(); // locked, signed out elsewhere or expired: a redirect
      })
      .catch(function () {}); // offline for a moment: the next activity tries again
  }

  function hideWarning() {
    if (warning && modal) modal.hide();
    warning = false;
  }

  function activity(fromOtherTab) {
    lastActivity = Date.now();
    hideWarning();
    if (fromOtherTab) return;
    if (channel) channel.postMessage(lastActivity);
    if ((Date.now() - lastPing) / 1000 >= pingEverySeconds) ping();
  }

  let throttled = false;
  function onActivity() {
    if (throttled || warning) return; // while the warning shows, only its button keeps the session
    throttled = true;
    window.setTimeout(function () { throttled = false; }, 1000);
    activity(false);
  }

  ["keydown", "pointerdown", "input", "wheel", "touchstart"].forEach(function (name) {
    document.addEventListener(name, onActivity, { passive: true, capture: true });
  });
  if (channel) channel.onmessage = function () { activity(true); };
  if (element) {
    element.querySelector("[data-idle-stay]").addEventListener("click", function () {
      warning = false;
      if (modal) modal.hide();
      lastActivity = Date.now();
      ping();
      if (channel) channel.postMessage(lastActivity);
    });
  }

  window.setInterval(function () {
    const idle = (Date.now() - lastActivity) / 1000;
    const left = Math.max(0, Math.ceil(idleSeconds - idle));
    if (left <= 2) { leave(); return; } // a moment before the server's own expiry
    if (left <= warnSeconds) {
      if (countdown) countdown.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (!warning) {
        warning = true;
        if (modal) modal.show();
      }
    }
  }, 1000);
})();
