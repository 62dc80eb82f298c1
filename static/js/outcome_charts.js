// Outcome charts of the patient history page. Data comes from the page's json_script (no inline scripts: CSP).
// Readable without colour: severity bands are shaded in greys and labelled in words, the two pain series differ in
// line style and point shape, migraine days are hatched; every chart has the same numbers in a table beside it.
(function () {
  var source = document.getElementById("outcome-chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var ACCENT = "#1d5c8c";
  var DARK = "#343a40";
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.animation = false;

  function dayMs(iso) { return new Date(iso + "T12:00:00").getTime(); }
  function dayLabel(ms) {
    return new Date(ms).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "2-digit" });
  }

  // Shades each severity band and writes its name at the right edge of the plot.
  var bandPlugin = {
    id: "severityBands",
    beforeDatasetsDraw: function (chart, args, options) {
      var bands = options.bands || [];
      var area = chart.chartArea, y = chart.scales.y, ctx = chart.ctx;
      ctx.save();
      bands.forEach(function (band, index) {
        var top = y.getPixelForValue(Math.min(band.high + 0.5, y.max));
        var bottom = y.getPixelForValue(Math.max(band.low - 0.5, y.min));
        if (bottom < area.top || top > area.bottom) { return; }
        top = Math.max(top, area.top); bottom = Math.min(bottom, area.bottom);
        ctx.fillStyle = index % 2 === 0 ? "rgba(0,0,0,0.035)" : "rgba(0,0,0,0.09)";
        ctx.fillRect(area.left, top, area.right - area.left, bottom - top);
        if (bottom - top >= 11) {
          ctx.fillStyle = "#495057";
          ctx.font = "11px " + Chart.defaults.font.family;
          ctx.textAlign = "right";
          ctx.textBaseline = "middle";
          ctx.fillText(band.label, area.right - 4, (top + bottom) / 2);
        }
      });
      ctx.restore();
    }
  };

  function hatch(colour) {
    var tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    var c = tile.getContext("2d");
    c.fillStyle = "#fff"; c.fillRect(0, 0, 8, 8);
    c.strokeStyle = colour; c.lineWidth = 2;
    c.beginPath(); c.moveTo(0, 8); c.lineTo(8, 0); c.moveTo(-2, 2); c.lineTo(2, -2); c.moveTo(6, 10); c.lineTo(10, 6);
    c.stroke();
    return c.createPattern(tile, "repeat");
  }

  data.scores.forEach(function (series) {
    var canvas = document.getElementById("chart-score-" + series.code);
    if (!canvas) { return; }
    var points = series.points.map(function (p) { return { x: dayMs(p.x), y: p.y }; });
    var xs = points.map(function (p) { return p.x; });
    var pad = 3 * 86400000;
    new Chart(canvas, {
      type: "line",
      data: { datasets: [{ label: series.name + " total", data: points, borderColor: ACCENT, backgroundColor: ACCENT,
        pointRadius: 5, pointStyle: "circle", tension: 0 }] },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, severityBands: { bands: series.bands },
          tooltip: { callbacks: { title: function (items) { return dayLabel(items[0].parsed.x); } } } },
        scales: {
          x: { type: "linear", min: Math.min.apply(null, xs) - pad, max: Math.max.apply(null, xs) + pad,
               ticks: { callback: dayLabel, maxTicksLimit: 6 } },
          y: { min: series.min, max: series.max, title: { display: true, text: "Score" } }
        }
      },
      plugins: [bandPlugin]
    });
  });

  var pain = document.getElementById("chart-pain");
  if (pain && data.pain.labels.length) {
    new Chart(pain, {
      type: "line",
      data: { labels: data.pain.labels.map(function (d) { return dayLabel(dayMs(d)); }), datasets: [
        { label: "Before the infusion", data: data.pain.before, borderColor: DARK, backgroundColor: DARK,
          pointStyle: "circle", pointRadius: 5, spanGaps: true },
        { label: "After the infusion", data: data.pain.after, borderColor: ACCENT, backgroundColor: ACCENT,
          borderDash: [6, 4], pointStyle: "triangle", pointRadius: 6, spanGaps: true }
      ] },
      options: { maintainAspectRatio: false, plugins: { legend: { labels: { usePointStyle: true } } },
        scales: { y: { min: 0, max: 10, title: { display: true, text: "Pain 0–10" } } } }
    });
  }

  var dose = document.getElementById("chart-dose");
  if (dose && data.dose.labels.length) {
    new Chart(dose, {
      type: "bar",
      data: { labels: data.dose.labels.map(function (d) { return dayLabel(dayMs(d)); }), datasets: [
        { label: "Dose (" + data.dose.unit + ")", data: data.dose.per_kg, backgroundColor: ACCENT }
      ] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false }, tooltip: { callbacks: {
        afterLabel: function (item) { var mg = data.dose.mg[item.dataIndex]; return mg === null ? "" : mg + " mg"; }
      } } }, scales: { y: { beginAtZero: true, title: { display: true, text: data.dose.unit } } } }
    });
  }

  var migraine = document.getElementById("chart-migraine");
  if (migraine && data.migraine_days.labels.length) {
    new Chart(migraine, {
      type: "bar",
      data: { labels: data.migraine_days.labels, datasets: [
        { label: "Headache days", data: data.migraine_days.headache, backgroundColor: "#adb5bd", borderColor: DARK,
          borderWidth: 1 },
        { label: "Migraine days (hatched)", data: data.migraine_days.migraine, backgroundColor: hatch(ACCENT),
          borderColor: ACCENT, borderWidth: 1 }
      ] },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, suggestedMax: 20,
        title: { display: true, text: "Days per month" } } } }
    });
  }
})();
