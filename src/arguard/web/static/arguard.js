/* arguard dashboard: draws every <canvas data-chart="ID"> from the JSON in <script type="application/json" id="ID">.
   The JSON is a Chart.js config ({type, data: {labels, datasets}, options}) plus optional
   "valueFormat": "amount" | "days" | "number" | "probability" (two significant digits: 0.00012) for axis
   ticks and tooltips. Values may be exact decimal strings. */
(function () {
  "use strict";
  var PALETTE = ["#0b6e99", "#e07b39", "#2e9d6b", "#8e5ac8", "#c9423b", "#5c6f82", "#c9a227", "#3aa6b9"];
  var AGING = ["#2e9d6b", "#9cc36b", "#e6c24a", "#e79a3c", "#d9682f", "#c2412d", "#8f1f1b"];

  function formatter(kind) {
    var lang = document.documentElement.lang || "en";
    var nf = new Intl.NumberFormat(lang, kind === "probability" ? {maximumSignificantDigits: 2}
      : {maximumFractionDigits: kind === "amount" ? 2 : 1});
    return function (v) {
      if (v === null || v === undefined || isNaN(v)) { return "—"; }
      // Tail probabilities span many decades: 1.0e-7 rather than a row of zeros.
      if (kind === "probability" && v !== 0 && Math.abs(v) < 0.001) { return Number(v).toExponential(1); }
      return nf.format(v);
    };
  }

  function toNumbers(datasets) {
    datasets.forEach(function (ds) {
      ds.data = (ds.data || []).map(function (v) { return v === null ? null : Number(v); });
    });
  }

  function colour(ds, i, type, cfg) {
    if (ds.backgroundColor) { return; }
    if (cfg.palette === "aging") {
      ds.backgroundColor = AGING.slice(0, ds.data.length);
    } else {
      ds.backgroundColor = PALETTE[i % PALETTE.length] + (type === "line" ? "33" : "");
    }
    ds.borderColor = ds.borderColor || PALETTE[i % PALETTE.length];
    if (type === "line") {
      ds.cubicInterpolationMode = ds.cubicInterpolationMode || "monotone";
      ds.fill = ds.fill === undefined ? false : ds.fill;
      ds.pointRadius = ds.pointRadius === undefined ? 3 : ds.pointRadius;
      ds.spanGaps = true;
    }
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") { return null; }
    var cfg = JSON.parse(source.textContent);
    var fmt = formatter(cfg.valueFormat || "number");
    toNumbers(cfg.data.datasets);
    cfg.data.datasets.forEach(function (ds, i) { colour(ds, i, cfg.type, cfg); });
    var options = cfg.options || {};
    options.responsive = true;
    options.maintainAspectRatio = false;
    options.animation = false;
    options.plugins = options.plugins || {};
    options.plugins.legend = options.plugins.legend || {display: cfg.data.datasets.length > 1, position: "bottom"};
    options.plugins.tooltip = options.plugins.tooltip || {};
    // Horizontal bars (indexAxis "y") carry their values on x: format that axis, label the other.
    var value = options.indexAxis === "y" ? "x" : "y";
    var category = value === "y" ? "x" : "y";
    options.plugins.tooltip.callbacks = {
      label: function (item) {
        return (item.dataset.label ? item.dataset.label + ": " : "") + fmt(item.parsed[value]);
      }
    };
    options.scales = options.scales || {};
    options.scales[value] = options.scales[value] || {};
    options.scales[value].beginAtZero = true;
    options.scales[value].ticks = {callback: function (v) { return fmt(v); }};
    options.scales[category] = options.scales[category] || {grid: {display: false}};
    return new Chart(canvas, {type: cfg.type, data: cfg.data, options: options});
  }

  function drawAll() {
    window.arguardCharts = [];
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = draw(canvas);
      if (chart) { window.arguardCharts.push(chart); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
