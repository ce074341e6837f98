/* Charts for the comparison and benchmark pages.
 * Each <canvas data-chart="radar|evidence|distribution" data-source="ID"> is drawn from the JSON
 * in <script type="application/json" id="ID">. Every chart has a table of the same figures beside
 * it, so nothing is lost if Chart.js fails to load. A [data-print] button prints the page. */
(function () {
  "use strict";

  var STAGES = { 1: "Early", 2: "Developing", 3: "Maturing", 4: "Mature" };
  // Colour-blind-safe pairs, with different point and line styles so colour is never the only cue.
  // The shared scale (chart-colours.js): areas never in a stage's colour.
  // (The comparison picker loads this file for its print button only, without the charts' scripts.)
  var COLOURS = window.AppChartColours || { series: [], seriesFill: [], stages: [] };
  var SIDE_STYLES = [
    { border: COLOURS.series[0], fill: COLOURS.seriesFill[0], point: "circle", dash: [] },
    { border: COLOURS.series[1], fill: COLOURS.seriesFill[1], point: "rectRot", dash: [6, 4] }
  ];
  // A qualitative, A quantitative, B qualitative, B quantitative
  var KIND_COLOURS = [COLOURS.series[0], COLOURS.series[5], COLOURS.series[1], COLOURS.series[6]];
  var STAGE_COLOURS = COLOURS.stages.concat([COLOURS.notAgreed]);

  function readData(id) {
    var node = id && document.getElementById(id);
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (error) { return null; }
  }

  function stageTick(value) { return STAGES[value] || ""; }

  function radar(canvas, data) {
    return new window.Chart(canvas, {
      type: "radar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, index) {
          var style = SIDE_STYLES[index % SIDE_STYLES.length];
          return {
            label: set.label, data: set.data, borderColor: style.border,
            backgroundColor: style.fill, pointStyle: style.point, borderDash: style.dash,
            pointRadius: 5, spanGaps: true
          };
        })
      },
      options: {
        responsive: true,
        scales: { r: { min: 0, max: 4, ticks: { stepSize: 1, callback: stageTick, backdropColor: "rgba(255, 255, 255, 0.8)" }, pointLabels: { font: { size: 14 }, padding: 14, backdropColor: "rgba(255, 255, 255, 0.9)", backdropPadding: 3 } } },
        plugins: {
          legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (item) {
            var value = item.raw;
            var label = value % 1 ? stageTick(value - 0.5) + "\u2013" + stageTick(value + 0.5) : stageTick(value);
            return item.dataset.label + ": " + (label || "not rated");
          } } }
        }
      }
    });
  }

  function evidence(canvas, data) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, index) {
          return { label: set.label, data: set.data, stack: set.stack, backgroundColor: KIND_COLOURS[index % KIND_COLOURS.length] };
        })
      },
      options: {
        responsive: true,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  function distribution(canvas, data) {
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, index) {
          return { label: set.label, data: set.data, backgroundColor: STAGE_COLOURS[index % STAGE_COLOURS.length] };
        })
      },
      options: {
        indexAxis: "y",
        responsive: true,
        scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  // A revote: the first vote (lighter, outlined) beside the vote after discussion, each bar in
  // its stage's colour; the table beside the chart has the same figures.
  function shift(canvas, data) {
    var stageColours = COLOURS.stages;
    var light = stageColours.map(function (colour) { return colour + "59"; });
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: "First vote", data: data.before, backgroundColor: light, borderColor: stageColours, borderWidth: 2 },
          { label: "After discussion", data: data.after, backgroundColor: stageColours, borderWidth: 0 }
        ]
      },
      options: {
        responsive: true,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: {
          legend: {
            position: "bottom",
            labels: { generateLabels: function () {
              return [
                { text: "First vote (lighter)", fillStyle: "#b1b4b6", strokeStyle: "#505a5f", lineWidth: 2 },
                { text: "After discussion", fillStyle: "#505a5f", strokeStyle: "#505a5f", lineWidth: 0 }
              ];
            } }
          }
        }
      }
    });
  }

  var DRAW = { radar: radar, evidence: evidence, distribution: distribution, shift: shift };

  function init() {
    var buttons = document.querySelectorAll("[data-print]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    if (!window.Chart) { return; }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var draw = DRAW[canvas.getAttribute("data-chart")];
      var data = readData(canvas.getAttribute("data-source"));
      if (draw && data) { draw(canvas, data); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
