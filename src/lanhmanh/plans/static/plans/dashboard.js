// Plan dashboard charts: each [data-chart] element names a json_script block with labels and values.
// A null value is a number hidden by small-count suppression: it gets no bar ("-" for ECharts).
document.addEventListener("DOMContentLoaded", () => {
  if (!window.echarts) return;
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const source = document.getElementById(el.dataset.source);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const chart = window.echarts.init(el);
    chart.setOption({
      title: { text: data.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 10, bottom: 80 },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 45 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: el.dataset.chart === "line" ? "line" : "bar", data: data.values.map((v) => (v === null ? "-" : v)), itemStyle: { color: "#1f6f4a" } }],
    });
    window.addEventListener("resize", () => chart.resize());
  });
});
