/* Draws the bar chart of cards per stage on the pipeline page /kartu (drawing shared in
 * charts.js). */
(function () {
  "use strict";

  var charts = window.ektpCharts;
  charts.draw("pipeline", function (data, numbers) {
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: data.name,
            data: data.cards,
            // Side paths (damaged, lost, duplicate...) in amber, the main path in blue.
            backgroundColor: data.side.map(function (side) {
              return side ? "rgba(217, 119, 6, 0.8)" : charts.blue;
            }),
            borderWidth: 0
          }
        ]
      },
      options: charts.options({
        scales: { x: { ticks: { autoSkip: false, maxRotation: 45 } }, y: charts.countAxis(numbers) },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: charts.seriesLabel(numbers) } }
        }
      })
    };
  });
})();
