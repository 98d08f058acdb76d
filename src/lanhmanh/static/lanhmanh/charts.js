// Plan dashboard charts: each [data-chart] element names a json_script block with labels and values.
// A null value is a number hidden by small-count suppression: it gets no bar ("-" for ECharts).
// Numbers read the Vietnamese way (1.500.000); long category names are shortened, never clipped; a chart
// with nothing but zeros says "Chưa có số liệu" instead of drawing an empty frame.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.echarts) return;
  const english = document.documentElement.lang === "en";
  const number = new Intl.NumberFormat(english ? "en-GB" : "vi-VN", { maximumFractionDigits: 1 });
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const source = document.getElementById(el.dataset.source);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    if (!data.values.some((v) => v)) {
      el.classList.add("chart-empty");
      el.dataset.chartEmpty = "";
      const title = document.createElement("div");
      title.className = "fw-semibold small";
      title.textContent = data.title;
      const empty = document.createElement("p");
      empty.className = "text-muted mb-0";
      empty.textContent = english ? "No figures yet" : "Chưa có số liệu";
      el.replaceChildren(title, empty);
      return;
    }
    const chart = window.echarts.init(el);
    chart.setOption({
      title: { text: data.title, textStyle: { fontSize: 14, width: el.clientWidth - 20, overflow: "break" } },
      tooltip: { trigger: "axis", valueFormatter: (v) => (typeof v === "number" ? number.format(v) : v) },
      grid: { left: 10, right: 10, top: 50, bottom: 10, containLabel: true },
      xAxis: {
        type: "category",
        data: data.labels,
        axisLabel: { rotate: data.labels.length > 4 ? 45 : 0, interval: 0, width: 110, overflow: "truncate" },
      },
      yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: (v) => number.format(v) } },
      series: [{ type: el.dataset.chart === "line" ? "line" : "bar", data: data.values.map((v) => (v === null ? "-" : v)), itemStyle: { color: "#1f6f4a" } }],
    });
    window.addEventListener("resize", () => chart.resize());
  });
});
