/* One colour scale for every chart. Stages always have these colours (as on the strand pages'
 * stage cards); areas, cycles and strands are drawn in other colours, so an area is never read
 * as a stage (an area in red is not "early"). */
(function () {
  "use strict";
  window.AppChartColours = {
    // early, developing, maturing, mature
    stages: ["#d4351c", "#f47738", "#1d70b8", "#00703c"],
    notAgreed: "#b1b4b6",
    // for areas, cycles, strands and kinds of evidence: none of them a stage's colour
    series: ["#4c2c92", "#0b0c0c", "#d53880", "#28a197", "#b58840", "#6f72af", "#505a5f", "#912b88"],
    seriesFill: ["rgba(76, 44, 146, 0.15)", "rgba(11, 12, 12, 0.08)"]
  };
})();
