/* Assessment pages: the trend chart (data from a JSON block) and the print button. No inline JS. */
(function () {
  "use strict";

  // GOV.UK colours, each line also with its own point shape so colour is not the only cue.
  // Strands in the shared series colours (chart-colours.js), none of them a stage's colour.
  // (The summary page loads this file for its print button only, without the charts' scripts.)
  var COLOURS = window.AppChartColours ? window.AppChartColours.series : [];
  var SHAPES = ["circle", "rect", "triangle", "rectRot", "star", "crossRot", "rectRounded", "cross"];

  function ratingLabel(stages, value) {
    if (value === null || value === undefined) { return "not rated"; }
    if (Number.isInteger(value)) { return stages[String(value)] || String(value); }
    var low = Math.floor(value), high = Math.ceil(value);
    return (stages[String(low)] || low) + "\u2013" + (stages[String(high)] || high);
  }

  function drawTrend() {
    var canvas = document.getElementById("trend-chart");
    var source = canvas && document.getElementById(canvas.getAttribute("data-source"));
    if (!canvas || !source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var stages = data.stages;
    if (data.labels.length === 1) { drawOneCycle(canvas, data); return; }
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set, i) {
          return {
            label: set.label,
            data: set.data,
            borderColor: COLOURS[i % COLOURS.length],
            backgroundColor: COLOURS[i % COLOURS.length],
            pointStyle: SHAPES[i % SHAPES.length],
            pointRadius: 6,
            borderWidth: 3,
            spanGaps: true,
            tension: 0
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          y: {
            min: 1, max: 4,
            ticks: { stepSize: 0.5, callback: function (value) { return Number.isInteger(value) ? stages[String(value)] : ""; } },
            title: { display: true, text: "Stage" }
          },
          x: { title: { display: true, text: "Cycle" } }
        },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              label: function (context) { return context.dataset.label + ": " + ratingLabel(stages, context.parsed.y); }
            }
          }
        }
      }
    });
  }

  // With one cycle there is no line to draw and strands at the same stage would hide one
  // another as points: one bar per strand shows all six.
  function drawOneCycle(canvas, data) {
    var stages = data.stages;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.datasets.map(function (set) { return set.label; }),
        datasets: [{
          label: data.labels[0],
          data: data.datasets.map(function (set) { return set.data[0]; }),
          backgroundColor: COLOURS[0],
          borderWidth: 0
        }]
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: {
            min: 0, max: 4,
            ticks: { stepSize: 1, callback: function (value) { return stages[String(value)] || ""; } },
            title: { display: true, text: "Stage" }
          }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (context) { return ratingLabel(stages, context.parsed.x); } } }
        }
      }
    });
  }

  function enablePrint() {
    var buttons = document.querySelectorAll("[data-print]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  drawTrend();
  enablePrint();
})();
