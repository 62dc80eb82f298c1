// Bar chart of side-effect rates per 100 sessions; data from the page's json_script (no inline scripts).
(function () {
  var source = document.getElementById("safety-chart-data");
  var canvas = document.getElementById("safety-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ label: "Per 100 sessions", data: data.rates, backgroundColor: "#1d5c8c" }] },
    options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } }
  });
})();
