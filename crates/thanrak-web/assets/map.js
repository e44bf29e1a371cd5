// The choropleth map of /map: reads the values from the page (data-map), fetches the areas'
// boundaries from the API and colours each area by its value. Plain script, no inline code
// (the page's CSP allows only this site's files).
(function () {
  'use strict';
  var el = document.getElementById('map');
  if (!el || !window.L) { return; }
  var data = JSON.parse(el.getAttribute('data-map'));
  var t = data.texts;
  // The classes come from the page (pages/map.rs): fixed breaks, quantiles or equal intervals,
  // as the reader chose; each area carries the index of its class.
  var classes = data.classes;
  var SUPPRESSED = data.suppressed_colour;
  var NO_DATA = data.no_data_colour;

  function fmt(v) {
    // As format_value in pages/map.rs: shares in percent, capitals out of 100 (as on the
    // dashboard), M0 as it is.
    if (data.scale === 'percent') { return (v * 100).toFixed(1) + '%'; }
    if (data.scale === 'score') { return (v * 100).toFixed(1); }
    return v.toFixed(3);
  }
  function cell(code) { return data.values[code]; }
  function colour(code) {
    var c = cell(code);
    if (!c) { return NO_DATA; }
    if (c.class === null || c.class === undefined) { return SUPPRESSED; }
    return classes[c.class].colour;
  }
  function label(p) {
    var name = data.lang === 'th' ? p.name_th : p.name_en;
    var c = cell(p.code);
    var value = !c ? t.no_data
      : (c.value === null || c.value === undefined) ? t.suppressed
      : fmt(c.value) + ' (' + c.households + ' ' + t.households + ')';
    var div = document.createElement('div');
    var b = document.createElement('strong');
    b.textContent = p.code + ' ' + name;
    div.appendChild(b);
    div.appendChild(document.createElement('br'));
    div.appendChild(document.createTextNode(data.figure + ': ' + value));
    return div;
  }

  var drawn = null;
  var labels = document.getElementById('map-labels');
  function areaName(p) { return data.lang === 'th' ? p.name_th : p.name_en; }
  function showLabels() {
    if (!drawn) { return; }
    drawn.layer.eachLayer(function (lyr) {
      var name = areaName(lyr.feature.properties);
      if (labels.checked) {
        if (!lyr.nameLabel) {
          lyr.nameLabel = L.tooltip({ permanent: true, direction: 'center', className: 'area-label', interactive: false })
            .setContent(name).setLatLng(lyr.getCenter());
        }
        lyr.nameLabel.addTo(map);
      } else if (lyr.nameLabel) {
        lyr.nameLabel.remove();
      }
    });
  }
  if (labels) { labels.addEventListener('change', showLabels); }

  // "Download as PNG": the areas as drawn now, redrawn on a canvas with their names, a title,
  // the legend and the source, for a slide. Nothing leaves the browser.
  function picture() {
    var W = 1600, H = 1000, MAP_W = 1180, TOP = 90, PAD = 20;
    var canvas = document.createElement('canvas');
    canvas.width = W; canvas.height = H;
    var g = canvas.getContext('2d');
    var font = '"Sarabun", "Noto Sans Thai", "Loma", "Tahoma", sans-serif';
    g.fillStyle = '#ffffff'; g.fillRect(0, 0, W, H);
    g.fillStyle = '#1d2a33'; g.font = 'bold 30px ' + font;
    g.fillText(data.picture_title, PAD, 50);
    // Fit the drawn areas' bounds into the map box, keeping the map's own projection.
    var b = drawn.layer.getBounds();
    var nw = map.project(b.getNorthWest(), 12), se = map.project(b.getSouthEast(), 12);
    var boxW = MAP_W - 2 * PAD, boxH = H - TOP - 60;
    var k = Math.min(boxW / Math.max(se.x - nw.x, 1e-9), boxH / Math.max(se.y - nw.y, 1e-9));
    var ox = PAD + (boxW - (se.x - nw.x) * k) / 2, oy = TOP + (boxH - (se.y - nw.y) * k) / 2;
    function pt(ll) { var p = map.project(ll, 12); return [ox + (p.x - nw.x) * k, oy + (p.y - nw.y) * k]; }
    function rings(lls, out) {
      if (lls.length && lls[0] instanceof L.LatLng) { out.push(lls); return; }
      lls.forEach(function (x) { rings(x, out); });
    }
    var named = [];
    drawn.layer.eachLayer(function (lyr) {
      var rs = []; rings(lyr.getLatLngs(), rs);
      g.beginPath();
      rs.forEach(function (r) {
        r.forEach(function (ll, i) { var p = pt(ll); if (i) { g.lineTo(p[0], p[1]); } else { g.moveTo(p[0], p[1]); } });
        g.closePath();
      });
      g.fillStyle = colour(lyr.feature.properties.code); g.fill('evenodd');
      g.strokeStyle = '#3d4a52'; g.lineWidth = 1.2; g.stroke();
      named.push([pt(lyr.getCenter()), areaName(lyr.feature.properties)]);
    });
    if (labels && labels.checked) {
      g.font = '600 18px ' + font; g.textAlign = 'center'; g.textBaseline = 'middle';
      named.forEach(function (n) {
        var w = g.measureText(n[1]).width + 8;
        g.fillStyle = 'rgba(255,255,255,0.8)'; g.fillRect(n[0][0] - w / 2, n[0][1] - 12, w, 24);
        g.fillStyle = '#1d2a30'; g.fillText(n[1], n[0][0], n[0][1]);
      });
      g.textAlign = 'left'; g.textBaseline = 'alphabetic';
    }
    // The legend, right of the map.
    var x = MAP_W + 10, y = TOP + 10;
    g.fillStyle = '#1d2a33'; g.font = 'bold 20px ' + font;
    wrap(data.figure, x, y, W - x - PAD, 26).forEach(function () { y += 26; });
    y += 10; g.font = '18px ' + font;
    function key(fill, text) {
      g.fillStyle = fill; g.fillRect(x, y, 28, 20);
      g.strokeStyle = '#889'; g.strokeRect(x, y, 28, 20);
      g.fillStyle = '#1d2a33'; g.fillText(text, x + 38, y + 16); y += 32;
    }
    classes.forEach(function (c) { key(c.colour, c.label + ' (' + c.count + ')'); });
    key(SUPPRESSED, t.suppressed);
    key(NO_DATA, t.no_data);
    g.fillStyle = '#667'; g.font = '15px ' + font;
    g.fillText(t.credit + ' · thanrak · ' + new Date().toLocaleDateString(data.lang === 'th' ? 'th-TH' : 'en-GB'), PAD, H - 20);
    function wrap(text, x0, y0, width, lh) {
      var words = text.split(' '), line = '', lines = [];
      words.forEach(function (w) {
        var test = line ? line + ' ' + w : w;
        if (g.measureText(test).width > width && line) { lines.push(line); line = w; } else { line = test; }
      });
      lines.push(line);
      lines.forEach(function (l, i) { g.fillText(l, x0, y0 + 20 + i * lh); });
      return lines;
    }
    return canvas;
  }
  var png = document.getElementById('map-png');
  if (png) {
    png.addEventListener('click', function () {
      if (!drawn) { return; }
      picture().toBlob(function (blob) {
        var a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = data.picture_name + '.png';
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      }, 'image/png');
    });
  }

  var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, minZoom: 2 });
  map.setView([15, 101], 5);

  var legend = L.control({ position: 'bottomright' });
  legend.onAdd = function () {
    var div = L.DomUtil.create('div', 'map-legend');
    div.id = 'map-legend';
    var h = document.createElement('h4');
    h.textContent = data.figure;
    div.appendChild(h);
    function row(fill, text) {
      var line = document.createElement('div');
      var i = document.createElement('i');
      i.style.background = fill;
      line.appendChild(i);
      line.appendChild(document.createTextNode(text));
      div.appendChild(line);
    }
    classes.forEach(function (c) { row(c.colour, c.label + ' (' + c.count + ')'); });
    row(SUPPRESSED, t.suppressed);
    row(NO_DATA, t.no_data);
    return div;
  };
  legend.addTo(map);

  var status = document.createElement('p');
  status.className = 'map-status';
  status.textContent = t.loading;
  el.parentNode.insertBefore(status, el.nextSibling);

  fetch(data.boundaries_url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (r) {
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      return r.json();
    })
    .then(function (fc) {
      status.remove();
      var illustrative = fc.features.some(function (f) { return f.properties.illustrative; });
      var fallback = fc.features.some(function (f) { return f.properties.fallback; });
      document.getElementById('illustrative-note').hidden = !illustrative;
      document.getElementById('fallback-note').hidden = !fallback;
      if (!fc.features.length) { return; }
      var layer = L.geoJSON(fc, {
        style: function (f) {
          return { color: '#3d4a52', weight: 1, fillColor: colour(f.properties.code), fillOpacity: 0.85 };
        },
        onEachFeature: function (f, lyr) {
          lyr.bindTooltip(label(f.properties), { sticky: true });
          lyr.on('mouseover', function () { lyr.setStyle({ weight: 3 }); });
          lyr.on('mouseout', function () { lyr.setStyle({ weight: 1 }); });
          if (data.drill_url) {
            lyr.on('click', function () {
              window.location.href = data.drill_url + encodeURIComponent(f.properties.code);
            });
          }
        }
      }).addTo(map);
      // Without animation the view is final at once, for readers and for screenshots alike.
      map.fitBounds(layer.getBounds(), { padding: [12, 12], animate: false });
      drawn = { layer: layer, features: fc.features };
      // Names on the map: on by default while they fit (a district's villages would not).
      labels.checked = fc.features.length <= 40;
      showLabels();
      el.setAttribute('data-drawn', String(fc.features.length));
    })
    .catch(function (e) {
      status.textContent = t.load_failed + ' (' + e.message + ')';
      status.className = 'map-status error';
    });
})();
