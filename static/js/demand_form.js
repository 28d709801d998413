// The demand form's destination point: a small map per line over the division polygons (no
// tiles exist offline), the chosen area's centre as the default, a click to choose another.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("demand-form-config").textContent);
  const basemap = fetch(config.boundariesUrl, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : { features: [] }))
    .catch(() => ({ features: [] }));

  document.querySelectorAll("fieldset.demand-line").forEach((line) => {
    const lat = line.querySelector("input[data-point=latitude]");
    const lon = line.querySelector("input[data-point=longitude]");
    const area = line.querySelector("select[data-area]");
    const note = line.querySelector(".line-point-note");
    const box = line.querySelector(".line-map");
    const map = L.map(box, { zoomSnap: 1, attributionControl: false, doubleClickZoom: false });
    let marker = null;

    function place(latitude, longitude, pan) {
      const point = [latitude, longitude];
      if (marker) marker.setLatLng(point);
      else marker = L.circleMarker(point, { radius: 8, color: "#c00", weight: 3, fillOpacity: 0.6, className: "line-point" }).addTo(map);
      if (pan) map.setView(point, Math.max(map.getZoom() || 0, 10));
    }

    function showCurrent(pan) {
      const la = parseFloat(lat.value), lo = parseFloat(lon.value);
      if (!Number.isNaN(la) && !Number.isNaN(lo)) place(la, lo, pan);
    }

    basemap.then((geojson) => {
      const layer = L.geoJSON(geojson, {
        style: (f) => f.properties.role === "outline"
          ? { color: "#7a1f1f", weight: 2, fillColor: "#fdfaf5", fillOpacity: 1 }
          : { color: "#555", weight: 1, fillColor: "#fdfaf5", fillOpacity: 1 },
        onEachFeature: (f, l) => l.bindTooltip(f.properties.name, { direction: "center", className: "bg-transparent border-0 shadow-none small" }),
      }).addTo(map);
      layer.on("click", (e) => pick(e.latlng));
      if (layer.getLayers().length) map.fitBounds(layer.getBounds());
      else map.setView([30.75, 120.75], 9);
      showCurrent(false);
    });

    function pick(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      place(latlng.lat, latlng.lng, false);
      note.textContent = config.picked;
    }
    map.on("click", (e) => pick(e.latlng));

    area.addEventListener("change", () => {
      if (!area.value) return;
      fetch(config.centreUrl.replace("/0/", `/${area.value}/`), { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((centre) => {
          if (!centre || centre.latitude === null) return;
          lat.value = centre.latitude;
          lon.value = centre.longitude;
          place(centre.latitude, centre.longitude, true);
          note.textContent = centre.note;
        });
    });
    [lat, lon].forEach((input) => input.addEventListener("change", () => showCurrent(true)));
  });
})();
