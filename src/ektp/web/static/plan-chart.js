/* Draws the chart of planned recordings per day against capacity on the plan page
 * (drawing shared in charts.js). */
(function () {
  "use strict";

  var charts = window.ektpCharts;
  charts.draw("plan", function (data, numbers) {
    return {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: data.names.planned, data: data.planned,
            backgroundColor: charts.blue, borderWidth: 0, order: 3 },
          { type: "line", label: data.names.bookable, data: data.bookable,
            borderColor: charts.amber, backgroundColor: charts.amber,
            borderWidth: 2, pointRadius: 0, stepped: "middle", order: 1 },
          { type: "line", label: data.names.capacity, data: data.capacity,
            borderColor: "#4d5869", backgroundColor: "#4d5869", borderDash: [6, 4],
            borderWidth: 2, pointRadius: 0, stepped: "middle", order: 2 }
        ]
      },
      options: charts.options({
        interaction: { mode: "index", intersect: false },
        scales: { x: { ticks: { autoSkip: true, maxRotation: 0 } }, y: charts.countAxis(numbers) },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? data.dates[items[0].dataIndex] : ""; },
              label: charts.seriesLabel(numbers)
            }
          }
        }
      })
    };
  });
})();
