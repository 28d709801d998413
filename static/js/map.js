// The potential map: administrative polygons as the basemap (no tiles exist offline),
// server-aggregated holdings per H3 cell, facilities, specialist counts, and "how much inside".
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const t = JSON.parse(document.getElementById("map-labels").textContent);
  const map = L.map("map", { zoomSnap: 1, preferCanvas: true, attributionControl: false });
  const filters = document.getElementById("map-filters");
  const colours = { fresh: "#2e7d32", ageing: "#f9a825", stale: "#c62828" };

  const layers = {
    holdings: L.layerGroup().addTo(map),
    shelter: L.layerGroup(),
    siren: L.layerGroup(),
    warehouse: L.layerGroup(),
    specialists: L.layerGroup(),
    demands: L.layerGroup().addTo(map),
  };
  L.control.layers(null, {
    [t.holdings]: layers.holdings,
    [t.shelters]: layers.shelter,
    [t.sirens]: layers.siren,
    [t.warehouses]: layers.warehouse,
    [t.specialists]: layers.specialists,
    [t.demands]: layers.demands,
  }, { collapsed: false }).addTo(map);

  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    const div = L.DomUtil.create("div", "legend");
    div.innerHTML = ["fresh", "ageing", "stale"].map(
      (k) => `<i style="background:${colours[k]}"></i>${t[k]}`).join("<br>");
    return div;
  };
  legend.addTo(map);

  function query(extra) {
    const params = new URLSearchParams(new FormData(filters));
    for (const [key, value] of [...params.entries()]) { if (!value) params.delete(key); }
    for (const [key, value] of Object.entries(extra || {})) params.set(key, value);
    return params;
  }

  async function getJson(url, params) {
    const response = await fetch(params ? `${url}?${params}` : url, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`${response.status} ${url}`);
    return response.json();
  }

  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }

  function dominant(cell) {
    if (cell.stale >= cell.fresh && cell.stale >= cell.ageing) return "stale";
    return cell.fresh >= cell.ageing ? "fresh" : "ageing";
  }

  async function drawHoldings() {
    const data = await getJson(config.holdingsUrl, query({ zoom: map.getZoom() }));
    layers.holdings.clearLayers();
    const heat = data.cells.length && data.cells[0].outline;
    const top = Math.max(1, ...data.cells.map((c) => c.available));
    for (const cell of data.cells) {
      if (heat) {
        const share = cell.available / top;
        L.polygon(cell.outline, { color: "#7a1f1f", weight: 1, fillColor: "#c62828", fillOpacity: 0.15 + 0.7 * share })
          .bindPopup(`<strong>${escapeHtml(t.available)}：${cell.available.toLocaleString("zh-CN")}</strong><br>` +
            `${escapeHtml(t.holdings)}：${cell.count}<br><a href="${config.listUrl}?${query({ h3: cell.cell })}">${escapeHtml(t.records)}</a>`)
          .addTo(layers.holdings);
        continue;
      }
      const size = Math.min(46, 18 + Math.round(Math.log2(cell.count + 1) * 4));
      const icon = L.divIcon({
        className: "", iconSize: [size, size],
        html: `<div class="cell-marker" style="width:${size}px;height:${size}px;line-height:${size - 4}px;background:${colours[dominant(cell)]}">${cell.count}</div>`,
      });
      const link = `${config.listUrl}?${query({ h3: cell.cell })}`;
      L.marker([cell.lat, cell.lon], { icon, title: String(cell.count) })
        // No type chosen: the cell mixes units (顶, 床, 吨), so no quantity is added up here;
        // the records list and the area's details give them per type.
        .bindPopup(`<strong>${escapeHtml(t.holdings)}：${cell.count}</strong><br>` +
          `${escapeHtml(t.fresh)} ${cell.fresh} · ${escapeHtml(t.ageing)} ${cell.ageing} · ${escapeHtml(t.stale)} ${cell.stale}<br>` +
          `<a href="${link}">${escapeHtml(t.records)}</a>`)
        .addTo(layers.holdings);
    }
    document.querySelector("[data-testid=holding-count]").textContent = data.total.toLocaleString("zh-CN");
    document.getElementById("resolution-note").textContent = `${t.resolution} H3-${data.resolution}`;
  }

  async function drawFacilities(kind) {
    const points = await getJson(config.facilitiesUrl, new URLSearchParams({ kind }));
    layers[kind].clearLayers();
    for (const p of points) {
      const colour = p.status === "in_service" ? "#1565c0" : "#757575";
      const extra = p.capacity ? `<br>${escapeHtml(t.capacity)}：${p.capacity}` : "";
      L.circleMarker([p.lat, p.lon], { radius: 6, color: colour, weight: 2, fillOpacity: 0.6 })
        .bindPopup(`<strong>${escapeHtml(p.name)}</strong><br>${escapeHtml(p.status_label)}${extra}<br><a href="${p.url}">${escapeHtml(t.details)}</a>`)
        .addTo(layers[kind]);
    }
  }

  async function drawSpecialists() {
    const counties = await getJson(config.specialistsUrl);
    layers.specialists.clearLayers();
    for (const c of counties) {
      L.marker([c.lat, c.lon], { icon: L.divIcon({ className: "", iconSize: [70, 24],
        html: `<span class="badge bg-dark">${escapeHtml(t.specialists)} ${c.count}</span>` }) })
        .bindPopup(`<strong>${escapeHtml(c.county)}</strong>：${c.count}<br><a href="${c.url}">${escapeHtml(t.details)}</a>`)
        .addTo(layers.specialists);
    }
  }

  // Open demands: a red marker at each destination, a line from every allocated holding to it
  // (dashed while the matching is only proposed).
  // Few shapes, drawn above the holding markers: SVG keeps them crisp and addressable.
  map.createPane("demands").style.zIndex = 650;
  const demandRenderer = L.svg({ pane: "demands" });
  async function drawDemands() {
    const lines = await getJson(config.demandsUrl);
    layers.demands.clearLayers();
    for (const d of lines) {
      for (const f of d.flows) {
        L.polyline([[f.lat, f.lon], [d.lat, d.lon]], {
          color: f.proposed ? "#ef6c00" : "#c62828", weight: Math.min(6, 1 + Math.log10(1 + f.quantity) * 2),
          opacity: 0.7, dashArray: f.proposed ? "6 6" : null, className: "demand-flow", renderer: demandRenderer, pane: "demands",
        }).bindTooltip(`${escapeHtml(f.owner)} → ${f.quantity} ${escapeHtml(d.unit)}${f.proposed ? "（" + escapeHtml(t.proposed) + "）" : ""}`)
          .addTo(layers.demands);
      }
      const label = `${d.exercise ? "【" + escapeHtml(t.exercise) + "】" : ""}<strong>${escapeHtml(d.title)}</strong>`;
      L.circleMarker([d.lat, d.lon], { radius: 9, color: "#b71c1c", weight: 3, fillColor: "#fff", fillOpacity: 1, className: "demand-destination", renderer: demandRenderer, pane: "demands" })
        .bindPopup(`${label}<br>${escapeHtml(d.demand)} · ${escapeHtml(d.status)}<br>${d.line}. ${escapeHtml(d.type)} × ${d.quantity} ${escapeHtml(d.unit)}<br>${escapeHtml(t.report_to)}：${escapeHtml(d.destination)}<br><a href="${d.url}">${escapeHtml(t.details)}</a>`)
        .addTo(layers.demands);
    }
  }
  drawDemands();

  map.on("overlayadd", (event) => {
    if (event.layer === layers.demands) drawDemands();
    for (const kind of ["shelter", "siren", "warehouse"]) {
      if (event.layer === layers[kind]) drawFacilities(kind);
    }
    if (event.layer === layers.specialists) drawSpecialists();
  });
  map.on("zoomend moveend", () => drawHoldings());
  filters.addEventListener("change", () => drawHoldings());

  // Rectangle: press the button, then drag on the map.
  let drawing = false, start = null, box = null;
  document.getElementById("draw-rectangle").addEventListener("click", () => {
    drawing = true; map.dragging.disable(); map.getContainer().style.cursor = "crosshair";
  });
  map.on("mousedown", (e) => { if (drawing) { start = e.latlng; box = L.rectangle([start, start], { color: "#7a1f1f" }).addTo(map); } });
  map.on("mousemove", (e) => { if (drawing && start) box.setBounds([start, e.latlng]); });
  map.on("mouseup", async () => {
    if (!drawing || !start) return;
    drawing = false; start = null; map.dragging.enable(); map.getContainer().style.cursor = "";
    const b = box.getBounds();
    await showInside(query({
      south: b.getSouth().toFixed(5), west: b.getWest().toFixed(5),
      north: b.getNorth().toFixed(5), east: b.getEast().toFixed(5) }), box);
  });

  async function showInside(params, shape) {
    const panel = document.getElementById("inside");
    try {
      const data = await getJson(config.insideUrl, params);
      const rows = data.types.slice(0, 30).map((r) =>
        `<tr><td>${escapeHtml(r.type)}</td><td class="text-end">${r.available.toLocaleString("zh-CN")} ${escapeHtml(r.unit)}</td></tr>`).join("");
      panel.innerHTML = rows ? `<table class="table table-sm mb-0"><tbody>${rows}</tbody></table>` : escapeHtml(t.nothing);
    } catch (error) {
      panel.textContent = t.too_large;
    }
    setTimeout(() => map.removeLayer(shape), 4000);
  }

  // Polygon: press the button, click the corners, double-click to finish.
  let vertices = null, outline = null;
  document.getElementById("draw-polygon").addEventListener("click", () => {
    vertices = []; map.doubleClickZoom.disable(); map.getContainer().style.cursor = "crosshair";
    outline = L.polygon([], { color: "#7a1f1f" }).addTo(map);
  });
  map.on("click", (e) => { if (vertices) { vertices.push(e.latlng); outline.setLatLngs(vertices); } });
  map.on("dblclick", async () => {
    if (!vertices) return;
    const ring = vertices.map((p) => `${p.lat.toFixed(5)},${p.lng.toFixed(5)}`).join(";");
    vertices = null; map.doubleClickZoom.enable(); map.getContainer().style.cursor = "";
    await showInside(query({ polygon: ring }), outline);
  });

  getJson(config.boundariesUrl).then((geojson) => {
    const basemap = L.geoJSON(geojson, {
      style: (f) => f.properties.role === "outline"
        ? { color: "#7a1f1f", weight: 3, fill: true, fillColor: "#fdfaf5", fillOpacity: 1 }
        : { color: "#555", weight: 1.5, fillColor: "#fdfaf5", fillOpacity: 1 },
      onEachFeature: (f, layer) => layer.bindTooltip(f.properties.name, { permanent: f.properties.role === "area", direction: "center", className: "bg-transparent border-0 shadow-none fw-bold" }),
    }).addTo(map);
    basemap.bringToBack();
    if (basemap.getLayers().length) map.fitBounds(basemap.getBounds());
    else map.setView([30.75, 120.75], 10);
  });
})();
