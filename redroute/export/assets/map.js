/* redroute map behaviour: popups, schedule panel, #stop=N deep links, full screen, locate me;
 * on a trip's map, one layer per day with its checkbox (#day=K, #stop=K-N, #leg=K-N).
 *
 * Every text shown here comes from the JSON block #redroute-view and is put on the page
 * with textContent: nothing from the data is ever parsed as HTML or run as code.
 * Part of redroute (MIT licence).
 */
(function () {
  "use strict";

  // folium creates each marker with Leaflet's default image icon before setting our DivIcon;
  // an empty DivIcon as the default keeps the page from requesting marker-icon.png.
  L.Marker.prototype.options.icon = L.divIcon({ className: "rr-pin-none", iconSize: [0, 0] });

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // Popup lines are [kind, text] pairs; kind becomes a CSS class, text is plain text.
  function content(lines) {
    var box = el("div", "rr-popup");
    lines.forEach(function (line) {
      box.appendChild(el("div", "rr-p-" + String(line[0]).replace(/[^a-z-]/g, ""), line[1]));
    });
    return box;
  }

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // WGS-84 -> GCJ-02, the same closed formula as redroute.coords.wgs84_to_gcj02. Only the
  // browser's own position needs it: everything else is shifted before the page is written.
  function toGcj02(lat, lon) {
    var a = 6378245.0, ee = 0.00669342162296594323, PI = Math.PI;
    var x = lon - 105.0, y = lat - 35.0;
    var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y +
      0.2 * Math.sqrt(Math.abs(x));
    dLat += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    dLat += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    dLat += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    dLon += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    dLon += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    dLon += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var radLat = lat / 180.0 * PI;
    var magic = Math.sin(radLat);
    magic = 1 - ee * magic * magic;
    var sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * PI);
    dLon = (dLon * 180.0) / (a / sqrtMagic * Math.cos(radLat) * PI);
    return [lat + dLat, lon + dLon];
  }

  // Google's encoded polyline (1e-5 degrees), as written by redroute.export.html._encode.
  function decode(str) {
    var points = [], index = 0, lat = 0, lon = 0;
    function next() {
      var result = 0, shift = 0, b;
      do {
        b = str.charCodeAt(index++) - 63;
        result |= (b & 0x1f) << shift;
        shift += 5;
      } while (b >= 0x20);
      return (result & 1) ? ~(result >> 1) : (result >> 1);
    }
    while (index < str.length) {
      lat += next();
      lon += next();
      points.push([lat / 1e5, lon / 1e5]);
    }
    return points;
  }

  function setHash(hash) {
    try {
      window.history.replaceState(null, "", hash);
    } catch (err) { /* some embedding contexts forbid it; the map works without */ }
  }

  window.redrouteMap = function (map, refs) {
    var view = readJSON("redroute-view");
    var ui = view.ui;
    var body = document.body;
    var panel = document.getElementById("rr-panel");
    var narrow = window.matchMedia("(max-width: 719px)");
    if (view.tiles === "none") { body.classList.add("rr-no-tiles"); }
    if (!narrow.matches) { body.classList.add("rr-open"); }

    view.attribution.forEach(function (a) { map.attributionControl.addAttribution(a); });

    // The walking network as the base map (tiles="none").
    if (view.network) {
      var pane = map.createPane("rr-streets");
      pane.style.zIndex = 250;
      pane.style.pointerEvents = "none";
      var streets = [];
      view.network.forEach(function (layer) {
        var lines = layer.lines.map(decode);
        layer.styles.forEach(function (style) {
          streets.push([L.polyline(lines, {
            pane: "rr-streets", interactive: false, color: style.color, weight: style.weight,
            opacity: 1, lineCap: "round", lineJoin: "round",
            className: "rr-net rr-net-" + layer.name
          }).addTo(map), style.weight]);
        });
      });
      // Street widths are given for zoom 17; narrower when zoomed out, as on a real map.
      var widen = function () {
        var f = Math.min(1.3, Math.max(0.3, Math.pow(2, (map.getZoom() - 17) / 1.5)));
        streets.forEach(function (s) { s[0].setStyle({ weight: Math.max(1, s[1] * f) }); });
      };
      map.on("zoomend", widen);
      widen();
    }
    L.control.scale({ imperial: false, maxWidth: 120 }).addTo(map);
    // Labels of estimated legs lie under the markers, so they never hide a stop number.
    map.createPane("rr-labels").style.zIndex = 590;

    function popupOptions() {
      return { maxWidth: 300, minWidth: 180, autoPanPadding: [12, 12] };
    }
    // Size each popup to the map as it is now (the panel may have changed its height).
    map.on("popupopen", function (e) {
      var size = map.getSize();
      e.popup.options.maxHeight = Math.max(120, size.y - 100);
      e.popup.options.maxWidth = Math.max(180, Math.min(300, size.x - 70));
      e.popup.update();
    });

    // Legs: popup with the directions; the casing under each line is a wider tap target.
    // A leg's key is its number (a day's map) or "K-N" (day K of a trip).
    var legIndex = {};
    refs.legs.forEach(function (line, i) {
      var leg = view.legs[i];
      legIndex[String(leg.n)] = i;
      line.bindPopup(content(leg.popup), popupOptions());
      refs.casings[i].on("click", function (e) { line.openPopup(e.latlng); });
      if (leg.estimated) {
        line.bindTooltip(el("span", null, "≈ " + ui.estimated),
          { permanent: true, direction: "center", className: "rr-est-label", interactive: false,
            pane: "rr-labels" });
      }
      line.on("popupopen", function () { setHash("#leg=" + leg.n); mark("leg", leg.n); });
      line.on("popupclose", function () { mark(null, null); });
    });

    // Stops and start/end: popups built from data with textContent.
    // Hover titles and screen-reader labels of the markers (plain text properties).
    // A marker of a hidden day gets a new element when it is shown again: label it again.
    function label(marker, text) {
      var set = function () {
        var node = marker.getElement();
        if (node && text) {
          node.title = text;
          node.setAttribute("aria-label", text);
          node.setAttribute("role", "button");
        }
      };
      set();
      marker.on("add", set);
    }
    Object.keys(refs.stops).forEach(function (n) {
      var marker = refs.stops[n];
      label(marker, view.titles[n]);
      marker.bindPopup(content(view.stops[n]), popupOptions());
      marker.on("popupopen", function () { setHash("#stop=" + n); mark("stop", n); });
      marker.on("popupclose", function () { mark(null, null); });
    });
    Object.keys(refs.places).forEach(function (kind) {
      label(refs.places[kind], view.titles[kind]);
      refs.places[kind].bindPopup(content(view.places[kind]), popupOptions());
    });

    // Highlight the active stop/leg in the panel and on the map.
    function mark(kind, n) {
      Array.prototype.forEach.call(document.querySelectorAll(".rr-active"), function (node) {
        node.classList.remove("rr-active");
      });
      if (!kind) { return; }
      var row = panel.querySelector('a[href="#' + kind + "=" + n + '"]');
      if (row) {
        row.parentNode.classList.add("rr-active");
        if (row.scrollIntoView && body.classList.contains("rr-open")) {
          row.scrollIntoView({ block: "nearest" });
        }
      }
      if (kind === "stop" && refs.stops[n] && refs.stops[n].getElement()) {
        refs.stops[n].getElement().classList.add("rr-active");
      }
    }

    // A trip's days: one layer each, shown and hidden by its checkbox in the panel. A start
    // or end shared by several days stays while any of them is shown.
    var days = refs.days || [];
    var shown = days.map(function () { return true; });
    function setDay(k, on) {
      var group = days[k - 1];
      if (!group || shown[k - 1] === on) { return; }
      shown[k - 1] = on;
      if (on) { group.addTo(map); } else { map.closePopup(); map.removeLayer(group); }
      var box = panel.querySelector('input.rr-day-check[data-day="' + k + '"]');
      if (box) { box.checked = on; }
      var section = panel.querySelector('.rr-day[data-day="' + k + '"]');
      if (section) { section.classList.toggle("rr-day-off", !on); }
      Object.keys(refs.places).forEach(function (p) {
        var of = (view.place_days || {})[p];
        if (!of) { return; }
        var any = of.some(function (d) { return shown[d - 1]; });
        if (any && !map.hasLayer(refs.places[p])) { refs.places[p].addTo(map); }
        if (!any && map.hasLayer(refs.places[p])) { map.removeLayer(refs.places[p]); }
      });
      declutter();
    }
    // A trip's "K-N" badges pile up where days meet: a badge that would cover a start, an end
    // or an earlier badge (day 1 first, in visiting order) shrinks to a dot of its colour,
    // under the badges, until the map is zoomed in far enough for its number. A badge over
    // dots it hides wholly says how many ("+2").
    function declutter() {
      if (!days.length) { return; }
      var placed = [];
      function box(marker, node) {
        var p = map.latLngToContainerPoint(marker.getLatLng());
        var w = node.offsetWidth / 2, h = node.offsetHeight / 2;
        return { x: p.x, y: p.y, b: [p.x - w, p.y - h, p.x + w, p.y + h], node: node, more: 0 };
      }
      function hit(a) {
        return placed.filter(function (o) {
          var b = o.b;
          return a.b[0] < b[2] && b[0] < a.b[2] && a.b[1] < b[3] && b[1] < a.b[3];
        });
      }
      Object.keys(refs.places).forEach(function (p) {
        var node = map.hasLayer(refs.places[p]) && refs.places[p].getElement();
        if (node) { placed.push(box(refs.places[p], node)); }
      });
      Object.keys(refs.stops).forEach(function (key) {
        var marker = refs.stops[key];
        var node = map.hasLayer(marker) && marker.getElement();
        if (!node) { return; }
        var a = box(marker, node);
        var under = hit(a);
        var compact = under.length > 0;
        if (marker.rrZ === undefined) { marker.rrZ = marker.options.zIndexOffset; }
        node.classList.toggle("rr-compact", compact);
        marker.setZIndexOffset(compact ? marker.rrZ - 2000 : marker.rrZ);
        if (!compact) { placed.push(a); return; }
        // The dot (about 7 px from its centre) is hidden when a badge covers all of it.
        var cover = under.filter(function (o) {
          return o.node.classList.contains("rr-trip-stop") && a.x - 7 >= o.b[0] &&
            a.x + 7 <= o.b[2] && a.y - 7 >= o.b[1] && a.y + 7 <= o.b[3];
        });
        if (cover.length) { cover[0].more += 1; }
      });
      placed.forEach(function (o) {
        if (o.more) { o.node.setAttribute("data-more", "+" + o.more); } else {
          o.node.removeAttribute("data-more");
        }
      });
    }
    map.on("zoomend", declutter);
    panel.addEventListener("change", function (e) {
      var box = e.target;
      if (box && box.classList && box.classList.contains("rr-day-check")) {
        setDay(parseInt(box.getAttribute("data-day"), 10), box.checked);
      }
    });
    // Day K of a "K-N" key, shown before its stop or leg is.
    function reveal(key) {
      var match = /^(\d+)-\d+$/.exec(String(key));
      if (match) { setDay(parseInt(match[1], 10), true); }
    }

    // #stop=N and #leg=N (#stop=K-N, #leg=K-N, #day=K on a trip): open that stop's popup
    // (or leg's) and centre it, or show that day and fit the map to it.
    function show(kind, n) {
      n = String(n);
      if (kind === "stop" && refs.stops[n]) {
        reveal(n);
        var m = refs.stops[n];
        map.setView(m.getLatLng(), Math.max(map.getZoom(), 16), { animate: false });
        m.openPopup();
        return true;
      }
      if (kind === "leg" && legIndex[n] !== undefined) {
        reveal(n);
        var line = refs.legs[legIndex[n]];
        var pts = line.getLatLngs();
        map.fitBounds(line.getBounds(), { padding: [40, 40], maxZoom: 17, animate: false });
        // A leg of two parts around a metro ride: open its popup on the first part.
        var flat = pts.length && pts[0].lat === undefined ? pts[0] : pts;
        line.openPopup(flat[Math.floor(flat.length / 2)]);
        return true;
      }
      var day = kind === "day" && view.days ? view.days[parseInt(n, 10) - 1] : null;
      if (day && day.bounds) {
        var k = day.k;
        setDay(k, true);
        map.closePopup();
        map.fitBounds(day.bounds,
          { padding: [28, 28], maxZoom: 17, animate: false });
        return true;
      }
      return false;
    }
    var HASH = /^#(stop|leg|day)=(\d+(?:-\d+)?)$/;
    function fromHash() {
      var match = HASH.exec(window.location.hash);
      return match ? show(match[1], match[2]) : false;
    }
    window.addEventListener("hashchange", fromHash);
    panel.addEventListener("click", function (e) {
      var a = e.target.closest ? e.target.closest('a[href^="#"]') : null;
      if (!a) { return; }
      var match = HASH.exec(a.getAttribute("href"));
      if (!match) { return; }
      e.preventDefault();
      setHash(a.getAttribute("href"));
      // On a phone the list folds away so the chosen stop and its popup have the room.
      if (narrow.matches) { setOpen(false); }
      show(match[1], match[2]);
    });

    // The schedule panel folds away on phones; the map takes the room it leaves.
    var toggle = panel.querySelector(".rr-toggle");
    var current = null;
    map.on("popupopen", function (e) { current = e.popup; });
    map.on("popupclose", function (e) { if (current === e.popup) { current = null; } });
    function setOpen(open) {
      if (body.classList.contains("rr-open") === open) { return; }
      body.classList.toggle("rr-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      map.invalidateSize({ pan: false });
      // Keep what matters in the smaller (or larger) map: the open popup, else the route.
      if (current) { map.panTo(current.getLatLng(), { animate: false }); } else { fit(); }
    }
    toggle.addEventListener("click", function () { setOpen(!body.classList.contains("rr-open")); });
    toggle.setAttribute("aria-expanded", body.classList.contains("rr-open") ? "true" : "false");
    var onWidth = function () { if (!narrow.matches) { setOpen(true); } };
    if (narrow.addEventListener) { narrow.addEventListener("change", onWidth); }

    // A short message over the map (geolocation errors).
    var toast = null;
    function note(text) {
      if (!toast) {
        toast = el("div", "rr-toast");
        toast.setAttribute("role", "status");
        map.getContainer().appendChild(toast);
      }
      toast.textContent = text;
      toast.style.display = "block";
      window.clearTimeout(note.timer);
      note.timer = window.setTimeout(function () { toast.style.display = "none"; }, 6000);
    }

    // Full screen (the Fullscreen API) and "locate me" buttons under the zoom control.
    var root = document.documentElement;
    var canFullscreen = !!(document.fullscreenEnabled || document.webkitFullscreenEnabled);
    var you = null;
    function locate() {
      if (!navigator.geolocation) { note(ui.locate_failed); return; }
      note(ui.locating);
      navigator.geolocation.getCurrentPosition(function (pos) {
        var ll = [pos.coords.latitude, pos.coords.longitude];
        if (view.datum === "gcj02") { ll = toGcj02(ll[0], ll[1]); }
        if (you) { you.remove(); }
        you = L.layerGroup([
          L.circle(ll, { radius: pos.coords.accuracy, weight: 1, color: "#1565c0",
                         fillOpacity: 0.12, interactive: false }),
          L.circleMarker(ll, { radius: 7, weight: 3, color: "#fff", fillColor: "#1565c0",
                               fillOpacity: 1 }).bindTooltip(el("span", null, ui.you))
        ]).addTo(map);
        if (toast) { toast.style.display = "none"; }
        map.setView(ll, Math.max(map.getZoom(), 16));
      }, function (err) {
        note(ui.locate_failed + (err && err.message ? " (" + err.message + ")" : ""));
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    }
    function toggleFullscreen() {
      var current = document.fullscreenElement || document.webkitFullscreenElement;
      var p;
      if (current) {
        p = document.exitFullscreen ? document.exitFullscreen() : document.webkitExitFullscreen();
      } else {
        p = root.requestFullscreen ? root.requestFullscreen() : root.webkitRequestFullscreen();
      }
      if (p && p.catch) { p.catch(function () { /* refused (e.g. iframe without allow) */ }); }
    }
    var ICONS = {
      fullscreen: '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">' +
        '<path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5" fill="none" stroke="currentColor" ' +
        'stroke-width="2.2"/></svg>',
      locate: '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">' +
        '<circle cx="12" cy="12" r="4" fill="currentColor"/><circle cx="12" cy="12" r="8" ' +
        'fill="none" stroke="currentColor" stroke-width="2"/><path d="M12 1v3M12 20v3M1 12h3' +
        'M20 12h3" stroke="currentColor" stroke-width="2"/></svg>'
    };
    var Tools = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var box = L.DomUtil.create("div", "leaflet-bar rr-tools");
        function button(name, label, action) {
          var b = el("button", "rr-tool rr-" + name);
          b.type = "button";
          b.title = label;
          b.setAttribute("aria-label", label);
          b.innerHTML = ICONS[name]; // constant markup above, never data
          b.addEventListener("click", action);
          box.appendChild(b);
        }
        if (canFullscreen) { button("fullscreen", ui.fullscreen, toggleFullscreen); }
        if (view.locate) { button("locate", ui.locate, locate); }
        L.DomEvent.disableClickPropagation(box);
        return box;
      }
    });
    if (canFullscreen || view.locate) { new Tools().addTo(map); }

    function fit() {
      map.fitBounds(view.bounds, { padding: [28, 28], maxZoom: 17, animate: false });
    }
    fit();
    declutter();
    fromHash();
    window.redroute = { map: map, refs: refs, view: view, show: show, toGcj02: toGcj02,
                        setDay: setDay };
  };
}());
