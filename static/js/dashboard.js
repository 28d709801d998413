// Dashboard charts (ECharts, vendored). Each chart repeats a table printed beside it.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("dashboard-data").textContent);
  const colours = ["#7a1f1f", "#2e7d32", "#f9a825", "#c62828", "#1565c0"];
  const builders = {
    categories: (t) => ({
      color: colours, tooltip: {}, legend: { top: 0 },
      grid: { left: 70, right: 10, top: 30, bottom: 30 },
      xAxis: { type: "value" }, yAxis: { type: "category", data: t.rows.map((r) => r[0]) },
      series: [
        { name: t.header[1], type: "bar", data: t.rows.map((r) => Number(r[1])) },
        { name: t.header[2], type: "bar", data: t.rows.map((r) => Number(r[2])) },
      ],
    }),
    divisions: (t) => ({
      color: ["#7a1f1f", "#c62828"], tooltip: {}, legend: { top: 0 },
      grid: { left: 40, right: 10, top: 30, bottom: 40 },
      xAxis: { type: "category", data: t.rows.map((r) => r[0]), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value" },
      series: [
        { name: t.header[1], type: "bar", data: t.rows.map((r) => Number(r[1])) },
        { name: t.header[2], type: "bar", data: t.rows.map((r) => Number(r[2])) },
      ],
    }),
    freshness: (t) => ({
      color: ["#2e7d32", "#f9a825", "#c62828"], tooltip: {},
      series: [{ type: "pie", radius: ["40%", "70%"], data: t.rows.map((r) => ({ name: r[0], value: Number(r[1]) })) }],
    }),
    worst: (t) => ({
      color: ["#c62828"], tooltip: {}, grid: { left: 90, right: 10, top: 10, bottom: 30 },
      xAxis: { type: "value" }, yAxis: { type: "category", inverse: true, data: t.rows.map((r) => r[0]) },
      series: [{ name: t.header[2], type: "bar", data: t.rows.map((r) => Number(r[2])) }],
    }),
    // Open demands and missions by status: one bar per status, in the workflow's order.
    demands: (t) => statusBars(t, "#1565c0"),
    missions: (t) => statusBars(t, "#7a1f1f"),
  };
  function statusBars(t, colour) {
    return {
      color: [colour], tooltip: {}, grid: { left: 90, right: 20, top: 10, bottom: 30 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: t.rows.map((r) => r[0]) },
      series: [{ name: t.header[1], type: "bar", data: t.rows.map((r) => Number(r[1])),
                 label: { show: true, position: "right" } }],
    };
  }
  for (const element of document.querySelectorAll(".dashboard-chart")) {
    const key = element.dataset.key;
    if (!builders[key] || !data[key]) continue;
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(builders[key](data[key]));
    window.addEventListener("resize", () => chart.resize());
  }
})();
