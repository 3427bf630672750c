// Draws every chart of the monthly report from its JSON data block (no inline script, CSP-safe).
(function () {
  "use strict";
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-figure]").forEach(function (target) {
      var block = document.getElementById(target.getAttribute("data-figure"));
      if (!block) { return; }
      var figure = JSON.parse(block.textContent);
      var layout = figure.layout || {};
      window.Plotly.newPlot(target, figure.data || [], layout, {
        responsive: true,
        // No mode bar: the page is read and printed, and its buttons would only clutter the print.
        displayModeBar: false,
      }).then(function () { target.classList.add("chart-ready"); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
  // Redraw at paper width when printing so charts are not cut off.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".chart-ready").forEach(function (el) { window.Plotly.Plots.resize(el); });
  });
})();
