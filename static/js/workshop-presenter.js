/* The presenter screen on the projector: follows the workshop live and, once the facilitator
 * reveals a round, draws its votes as a Chart.js bar chart beside a table of the same figures.
 * While a round is hidden the server sends only the count, so nothing else can show. */
(function () {
  "use strict";

  var root = document.getElementById("presenter");
  if (!root || !window.WorkshopLive) { return; }

  var COLOURS = window.AppChartColours.stages;  // the one stage scale (chart-colours.js)
  var canvas = document.getElementById("p-chart");
  var labels = JSON.parse(canvas.getAttribute("data-labels"));
  var chart = null;

  function text(id, value) {
    var element = document.getElementById(id);
    if (element) { element.textContent = value; }
  }

  function show(id, visible) {
    var element = document.getElementById(id);
    if (element) { element.hidden = !visible; }
  }

  // The same phases as present.html: the QR code large while people join, small once voting
  // starts, gone when the workshop ends.
  function phaseOf(state) {
    var round = state.round;
    if (state.workshop.status === "closed") { return "ended"; }
    if (state.result || state.withheld) { return "result"; }
    if (!round || state.workshop.status === "setup" || (round.position === 1 && round.state === "pending")) { return "joining"; }
    return "voting";
  }

  // Chart text in proportion to the screen, like the page's (3% of the viewport's height).
  function fontPx(share) {
    return Math.max(12, Math.round(window.innerHeight * share));
  }

  function countsOf(result) {
    return [1, 2, 3, 4].map(function (stage) { return result.counts[String(stage)]; });
  }

  // The first vote of a revote in the same stage colours, lighter and outlined, beside the
  // vote after discussion (the table beside the chart names the two columns).
  var LIGHT = COLOURS.map(function (colour) { return colour + "59"; });

  function datasets(counts, before) {
    var sets = [];
    if (before) {
      sets.push({ label: "First vote", data: before, backgroundColor: LIGHT, borderColor: COLOURS, borderWidth: 2 });
    }
    sets.push({ label: before ? "After discussion" : "Votes", data: counts, backgroundColor: COLOURS, borderWidth: 0 });
    return sets;
  }

  function drawChart(counts, before) {
    if (!window.Chart) { return; }
    if (chart && chart.data.datasets.length === (before ? 2 : 1)) {
      chart.data.datasets[chart.data.datasets.length - 1].data = counts;
      if (before) { chart.data.datasets[0].data = before; }
      chart.update();
      return;
    }
    if (chart) { chart.destroy(); }
    chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: datasets(counts, before)
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: { duration: 300 },
        plugins: {
          // With a revote the table beside the chart names the two columns, and its caption
          // says which bars are the first vote; a legend would take the bars' room.
          legend: { display: false },
          tooltip: { enabled: false }
        },
        scales: {
          x: { ticks: { color: "#0b0c0c", font: { size: fontPx(0.032), weight: "bold" } }, grid: { display: false } },
          y: { beginAtZero: true, ticks: { precision: 0, color: "#0b0c0c", font: { size: fontPx(0.03) } } }
        }
      }
    });
  }

  function render(state) {
    var round = state.round;
    var result = state.result;
    root.setAttribute("data-phase", phaseOf(state));
    text("p-round", round ? "Round " + round.position + " of " + round.of + (round.revote_of ? " · voting again after discussion" : "") : "");
    text("p-title", round ? round.title : state.workshop.title);
    show("p-strand", !!(round && round.element));
    text("p-strand", round && round.element ? "Part of the strand " + round.strand : "");
    text("p-state", state.workshop.status === "closed" ? "The workshop has ended" : (round ? round.state_label : "Starting soon"));
    var total = state.count ? state.count.total : 0;
    text("p-count", String(total));
    text("p-count-label", total === 1 ? "vote" : "votes");
    text("p-joined", String(state.joined));

    show("p-withheld", !!state.withheld);
    text("p-withheld", state.withheld_words || "");
    show("p-result", !!result);
    if (!result) { return; }
    text("p-median", result.median ? result.median.label : "–");
    text("p-self", result.self_rating ? result.self_rating.label : "Not rated");
    text("p-agreement", result.agreement || "–");
    var cells = root.querySelectorAll("#p-table td[data-stage]");
    for (var i = 0; i < cells.length; i += 1) {
      var stage = cells[i].getAttribute("data-stage");
      cells[i].textContent = String(stage === "dont-know" ? result.abstentions : result.counts[stage]);
    }
    show("p-manual", result.manual && result.manual.total > 0);
    text("p-manual-count", result.manual ? String(result.manual.total) : "0");
    var shift = state.shift || null;
    var before = shift && shift.before ? shift.before : null;
    show("p-shift", !!shift);
    show("p-shift-key", !!shift);
    text("p-shift", shift ? shift.words : "");
    show("p-survey", !!(shift && shift.survey));
    text("p-survey", shift && shift.survey ? shift.survey : "");
    text("p-votes-heading", shift ? "After discussion" : "Votes");
    var beforeCells = root.querySelectorAll("#p-table [data-before], #p-table td[data-before-stage]");
    for (var j = 0; j < beforeCells.length; j += 1) {
      var cell = beforeCells[j];
      cell.hidden = !shift;
      var key = cell.getAttribute("data-before-stage");
      if (key) { cell.textContent = before ? String(key === "dont-know" ? before.abstentions : before.counts[key]) : "–"; }
    }
    drawChart(countsOf(result), before ? countsOf(before) : null);
  }

  // The page arrives with the state drawn by the server; draw its chart if it is revealed.
  if (!document.getElementById("p-result").hidden) {
    drawChart(JSON.parse(canvas.getAttribute("data-counts")), JSON.parse(canvas.getAttribute("data-before")));
  }

  window.WorkshopLive.follow({
    eventsUrl: root.getAttribute("data-events-url"),
    stateUrl: root.getAttribute("data-state-url"),
    version: root.getAttribute("data-version"),
    onState: render,
    onConnection: function (online) { show("p-offline", !online); }
  });
})();
