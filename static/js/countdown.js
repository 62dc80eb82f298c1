// Live "due in / overdue" labels for elements with data-due="<ISO time>". No inline scripts (CSP, issue #7).
(function () {
  function label(el) {
    var due = new Date(el.getAttribute("data-due"));
    var minutes = Math.round((due - new Date()) / 60000);
    el.textContent = minutes >= 0 ? "in " + minutes + " min" : "overdue by " + (-minutes) + " min";
    el.classList.toggle("text-bg-danger", minutes < 0);
    el.classList.toggle("text-bg-light", minutes >= 0);
  }
  function refresh() { document.querySelectorAll("[data-due]").forEach(label); }
  document.addEventListener("DOMContentLoaded", refresh);
  document.addEventListener("htmx:afterSwap", refresh);
  setInterval(refresh, 15000);
})();
