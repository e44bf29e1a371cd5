// The area picker: every `input[data-area-picker]` keeps its text box (a code or a Thai or
// English name, as the server accepts) and gains, beside it, cascading lists province →
// district → subdistrict → village of the user's own areas, a name search (suggestions as the
// user types) and the chosen area's name. The lists come from GET /api/v1/areas?mine=true, so a
// user is offered only its areas. Plain script, no inline code (the CSP forbids it).
(function () {
  'use strict';
  var thai = document.documentElement.lang !== 'en';
  var T = thai
    ? { all: '— ทั้งหมด —', levels: ['จังหวัด', 'อำเภอ', 'ตำบล', 'หมู่บ้าน'], pick: 'เลือกพื้นที่', none: 'ไม่พบพื้นที่ชื่อนี้' }
    : { all: '— all —', levels: ['Province', 'District', 'Subdistrict', 'Village'], pick: 'Choose an area', none: 'No area of that name' };

  function get(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { if (!r.ok) { throw new Error('HTTP ' + r.status); } return r.json(); });
  }
  function children(parent) {
    var url = '/api/v1/areas?mine=true&per_page=500' + (parent ? '&parent=' + encodeURIComponent(parent) : '');
    return get(url).then(function (p) { return p.items; });
  }
  function name(a) { return thai ? a.name_th : a.name_en; }
  function within(a) { return thai ? a.within_th : a.within_en; }
  var LEN = [2, 4, 6, 8];

  function enhance(input, n) {
    var box = document.createElement('div');
    box.className = 'area-picker';
    var shown = document.createElement('div');
    shown.className = 'area-picked';
    shown.setAttribute('aria-live', 'polite');
    var lists = document.createElement('div');
    lists.className = 'area-cascade';
    var selects = T.levels.map(function (label, i) {
      var wrap = document.createElement('label');
      wrap.className = 'area-level';
      var span = document.createElement('span');
      span.textContent = label;
      var sel = document.createElement('select');
      sel.setAttribute('data-level', String(i));
      sel.setAttribute('aria-label', label);
      sel.disabled = true;
      wrap.appendChild(span);
      wrap.appendChild(sel);
      lists.appendChild(wrap);
      return sel;
    });
    box.appendChild(shown);
    box.appendChild(lists);
    // After the box, or after its label when the box sits inside one (a list inside a label
    // would hand its clicks to the box).
    var after = input.parentNode.tagName === 'LABEL' ? input.parentNode : input;
    after.parentNode.insertBefore(box, after.nextSibling);
    // Name search: suggestions as the user types (codes keep working as typed).
    var dl = document.createElement('datalist');
    dl.id = 'area-suggestions-' + n;
    box.appendChild(dl);
    input.setAttribute('list', dl.id);
    input.setAttribute('autocomplete', 'off');
    if (!input.placeholder) { input.placeholder = T.pick; }

    function fill(level, items, chosen) {
      var sel = selects[level];
      sel.innerHTML = '';
      var all = document.createElement('option');
      all.value = '';
      all.textContent = T.all;
      sel.appendChild(all);
      items.forEach(function (a) {
        var o = document.createElement('option');
        o.value = a.code;
        o.textContent = name(a);
        if (a.code === chosen) { o.selected = true; }
        sel.appendChild(o);
      });
      sel.disabled = items.length === 0;
      for (var k = level + 1; k < selects.length; k++) { selects[k].innerHTML = ''; selects[k].disabled = true; }
    }
    function say(a) {
      shown.textContent = a ? name(a) + (within(a) ? ' · ' + within(a) : '') : '';
    }
    // Opens the lists on `code`: each level's list, with the code's ancestors chosen.
    function openOn(code) {
      var chain = LEN.filter(function (l) { return code && code.length >= l; })
        .map(function (l) { return code.slice(0, l); });
      var level = 0;
      function next(parent) {
        return children(parent).then(function (items) {
          var chosen = chain[level];
          fill(level, items, chosen);
          var found = items.filter(function (a) { return a.code === chosen; })[0];
          if (found && chain.length === level + 1) { say(found); }
          if (found && level + 1 < LEN.length) {
            level += 1;
            return next(chosen);
          }
          if (!found && level === 0 && items.length === 1 && !code) {
            // A user of one province starts inside it.
            selects[0].value = items[0].code;
            level = 1;
            return next(items[0].code);
          }
          return null;
        });
      }
      return next('');
    }
    selects.forEach(function (sel, level) {
      sel.addEventListener('change', function () {
        var code = sel.value || (level > 0 ? selects[level - 1].value : '');
        input.value = code;
        if (sel.value && level + 1 < selects.length) {
          children(sel.value).then(function (items) { fill(level + 1, items, null); });
        } else {
          for (var k = level + 1; k < selects.length; k++) { selects[k].innerHTML = ''; selects[k].disabled = true; }
        }
        if (!code) { say(null); return; }
        get('/api/v1/areas/' + encodeURIComponent(code)).then(say).catch(function () { say(null); });
      });
    });
    var timer = null;
    input.addEventListener('input', function () {
      var text = input.value.trim();
      clearTimeout(timer);
      if (/^\d+$/.test(text)) {
        if (LEN.indexOf(text.length) >= 0) { timer = setTimeout(function () { openOn(text).catch(function () {}); }, 250); }
        return;
      }
      if (text.length < 2) { return; }
      timer = setTimeout(function () {
        get('/api/v1/areas?mine=true&per_page=30&q=' + encodeURIComponent(text)).then(function (p) {
          dl.innerHTML = '';
          p.items.forEach(function (a) {
            var o = document.createElement('option');
            o.value = a.code;
            o.label = name(a) + (within(a) ? ' · ' + within(a) : '');
            o.textContent = o.label;
            dl.appendChild(o);
          });
          if (!p.items.length) { shown.textContent = T.none; }
        }).catch(function () {});
      }, 200);
    });
    input.addEventListener('change', function () {
      var text = input.value.trim();
      if (/^\d+$/.test(text) && LEN.indexOf(text.length) >= 0) { openOn(text).catch(function () {}); }
    });
    openOn(/^\d+$/.test(input.value.trim()) ? input.value.trim() : '').catch(function () {});
  }

  var inputs = document.querySelectorAll('input[data-area-picker]');
  for (var i = 0; i < inputs.length; i++) { enhance(inputs[i], i); }
})();
