// The choropleth map of /map: reads the values from the page (data-map), fetches the areas'
// boundaries from the API and colours each area by its value. Plain script, no inline code
// (the page's CSP allows only this site's files).
(function () {
  'use strict';
  var el = document.getElementById('map');
  if (!el || !window.L) { return; }
  var data = JSON.parse(el.getAttribute('data-map'));
  var t = data.texts;
  // Five classes, light to dark; "worse" figures run yellow to red, capitals pale to deep green.
  var palette = data.higher_is_worse
    ? ['#fff3c4', '#fdc979', '#f7904b', '#dd4b2b', '#a11a1a']
    : ['#edf8e9', '#bae4b3', '#74c476', '#31a354', '#006d2c'];
  var SUPPRESSED = '#9a9a9a';
  var NO_DATA = '#ffffff';

  var shown = Object.keys(data.values)
    .map(function (k) { return data.values[k].value; })
    .filter(function (v) { return v !== null && v !== undefined; });
  var lo = shown.length ? Math.min.apply(null, shown) : 0;
  var hi = shown.length ? Math.max.apply(null, shown) : 1;
  if (hi - lo < 1e-9) { hi = lo + 1e-9; }
  var step = (hi - lo) / palette.length;

  function fmt(v) {
    // As format_value in pages/map.rs: shares in percent, capitals out of 100 (as on the
    // dashboard), M0 as it is.
    if (data.scale === 'percent') { return (v * 100).toFixed(1) + '%'; }
    if (data.scale === 'score') { return (v * 100).toFixed(1); }
    return v.toFixed(3);
  }
  function classOf(v) {
    return Math.min(palette.length - 1, Math.floor((v - lo) / step));
  }
  function cell(code) { return data.values[code]; }
  function colour(code) {
    var c = cell(code);
    if (!c) { return NO_DATA; }
    if (c.value === null || c.value === undefined) { return SUPPRESSED; }
    return palette[classOf(c.value)];
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
    if (shown.length) {
      palette.forEach(function (fill, k) {
        row(fill, fmt(lo + k * step) + ' – ' + fmt(lo + (k + 1) * step));
      });
    }
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
      el.setAttribute('data-drawn', String(fc.features.length));
    })
    .catch(function (e) {
      status.textContent = t.load_failed + ' (' + e.message + ')';
      status.className = 'map-status error';
    });
})();
