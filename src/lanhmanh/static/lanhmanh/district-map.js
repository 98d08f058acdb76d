// District maps (org/maps.py): a choropleth from a local GeoJSON file, with optional point markers.
// Each [data-district-map] element names a json_script block with its configuration; no tiles, no CDN.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.echarts) return;
  const number = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });
  const escape = window.echarts.format.encodeHTML;
  const sitePath = (url) => (typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : "");

  document.querySelectorAll("[data-district-map]").forEach((el) => {
    const source = document.getElementById(el.dataset.districtMap);
    if (!source) return;
    const cfg = JSON.parse(source.textContent);
    fetch(el.dataset.geojson, { credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then((geojson) => draw(el, cfg, geojson))
      .catch(() => {
        el.textContent = cfg.text.unavailable;
      });
  });

  function draw(el, cfg, geojson) {
    const mapName = "lanhmanh-districts-" + cfg.map_key;
    if (!window.echarts.getMap(mapName)) window.echarts.registerMap(mapName, geojson);
    const known = cfg.regions.filter((r) => r.value !== null && r.value !== undefined).map((r) => r.value);
    const max = known.length ? Math.max(...known) : 0;
    const labels = Object.fromEntries(cfg.regions.map((r) => [r.code, r.label]));
    const regionData = cfg.regions.map((r) => ({
      name: r.code,
      value: r.value === null || r.value === undefined ? NaN : r.value,
      url: r.url,
    }));
    const colours = Object.fromEntries(cfg.categories.map((c) => [c.key, c]));
    const pointSeries = [];
    const byCategory = {};
    cfg.points.forEach((p) => {
      (byCategory[p.category] = byCategory[p.category] || []).push(p);
    });
    Object.entries(byCategory).forEach(([key, points]) => {
      const category = colours[key] || { label: key, colour: "#333" };
      pointSeries.push({
        type: "scatter",
        name: category.label,
        coordinateSystem: "geo",
        symbolSize: 9,
        itemStyle: { color: category.colour, borderColor: "#fff", borderWidth: 1 },
        data: points.map((p) => ({ name: p.label, value: [p.lng, p.lat], url: p.url })),
      });
    });
    const chart = window.echarts.init(el, null, { devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2) });
    chart.setOption({
      title: { text: cfg.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: {
        trigger: "item",
        formatter: (p) => {
          if (p.seriesType === "scatter") return escape(p.name) + "<br>" + escape(p.seriesName);
          const value = Number.isNaN(p.value) || p.value === undefined ? cfg.text.no_data : number.format(p.value) + cfg.suffix;
          return escape(labels[p.name] || p.name) + ": " + escape(value);
        },
      },
      legend: pointSeries.length ? { bottom: 0, data: pointSeries.map((s) => s.name) } : undefined,
      visualMap: {
        show: known.length > 0,
        min: 0,
        max: max || 1,
        left: 0,
        bottom: pointSeries.length ? 30 : 0,
        itemHeight: 100,
        text: [number.format(max) + cfg.suffix, "0"],
        seriesIndex: 0,
        inRange: { color: ["#e8f3ec", "#8cc5a3", "#1f6f4a"] },
        outOfRange: { color: "#e9ecef" },
      },
      geo: {
        map: mapName,
        nameProperty: "code",
        roam: false,
        top: 40,
        bottom: pointSeries.length ? 40 : 10,
        itemStyle: { areaColor: "#e9ecef", borderColor: "#6c757d", borderWidth: 0.6 },
        emphasis: { itemStyle: { areaColor: "#f6d365" }, label: { show: false } },
      },
      series: [{ type: "map", geoIndex: 0, data: regionData }, ...pointSeries],
    });
    chart.on("click", (p) => {
      const url = sitePath(p.data && p.data.url);
      if (url) window.location.assign(url);
    });
    window.addEventListener("resize", () => chart.resize());
    window.addEventListener("beforeprint", () => chart.resize());
  }
});
