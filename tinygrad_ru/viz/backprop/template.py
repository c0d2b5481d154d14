"""The page around the picture: the HTML (buttons, note, styles) and the script that steps through the states.

``%TITLE%``, ``%HINT%``, ``%SVGS%``, ``%DATA%`` (the states as JSON) and ``%SCRIPT%`` are filled in by
:meth:`~.page.BackpropSteps.html`.  ``window.backprop`` (go, show, toggle, state, count) is there for tests.
"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%TITLE%</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 12px; color: #222; }
#bar { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; margin-bottom: 8px; }
#bar button { font-size: 16px; padding: 4px 12px; cursor: pointer; }
#counter { font-variant-numeric: tabular-nums; min-width: 5em; }
#title { font-weight: bold; font-size: 18px; }
#note { min-height: 4.5em; background: #f7f7f7; border-left: 4px solid #c0392b; padding: 8px 12px;
        font-size: 15px; line-height: 1.5; margin: 8px 0; }
#note .acc { color: #8e44ad; font-weight: bold; }
#hint { color: #777; font-size: 13px; }
.view { overflow-x: auto; }
.off { visibility: hidden; }
g.node.hl > ellipse, g.node.hl > polygon, g.node.hl > path { stroke: #e67e22; stroke-width: 3.5px; }
g.node.hl > ellipse { fill: #ffd591; }
g.edge.hl > path { stroke: #c0392b; stroke-width: 2.5px; }
g.edge.hl > polygon { stroke: #c0392b; fill: #c0392b; }
text.hl { fill: #e67e22; font-weight: bold; }
text.acc { fill: #8e44ad; font-weight: bold; }
g.clickable { cursor: pointer; }
</style></head>
<body>
<div id="bar">
  <button id="first" title="first state (Home)">«</button>
  <button id="prev" title="previous state (←)">◀ back</button>
  <button id="next" title="next state (→ or space)">next ▶</button>
  <button id="last" title="last state (End)">»</button>
  <input id="slider" type="range" min="0" value="0">
  <span id="counter"></span>
  <span id="title"></span>
</div>
<div id="note"></div>
<div id="hint">%HINT%</div>
%SVGS%
<script id="steps-data" type="application/json">%DATA%</script>
<script>%SCRIPT%</script>
</body></html>
"""

_SCRIPT = r"""
(function () {
  var views = JSON.parse(document.getElementById('steps-data').textContent);
  var current = 0, index = 0, finals = [];
  views.forEach(function (v, k) {
    var root = document.getElementById('view' + k), f = {};
    v.dynamic.forEach(function (id) {
      var e = root.querySelector('[id="' + id + '"]');
      if (e) f[id] = e.textContent;
    });
    finals.push(f);
    Object.keys(v.clickable).forEach(function (key) {
      var g = root.querySelector('[id="' + key + '"]');
      if (!g) return;
      g.classList.add('clickable');
      g.addEventListener('click', function () { toggle(v.clickable[key]); });
    });
  });
  function el(k, id) { return document.getElementById('view' + k).querySelector('[id="' + id + '"]'); }
  function apply() {
    var v = views[current], s = v.states[index], root = document.getElementById('view' + current);
    var show = new Set(s.show);
    v.dynamic.forEach(function (id) {
      var e = el(current, id); if (!e) return;
      e.classList.toggle('off', !show.has(id));
      e.textContent = (id in s.text) ? s.text[id] : finals[current][id];
    });
    root.querySelectorAll('.hl, .acc').forEach(function (e) { e.classList.remove('hl'); e.classList.remove('acc'); });
    s.hl.forEach(function (id) { var e = el(current, id); if (e) e.classList.add('hl'); });
    s.acc.forEach(function (id) { var e = el(current, id); if (e) e.classList.add('acc'); });
    document.getElementById('title').textContent = s.title;
    document.getElementById('note').innerHTML = s.note;
    document.getElementById('counter').textContent = (index + 1) + ' / ' + v.states.length;
    var slider = document.getElementById('slider');
    slider.max = v.states.length - 1; slider.value = index;
    document.body.setAttribute('data-state', index);
    document.body.setAttribute('data-view', current);
  }
  function go(i) { index = Math.max(0, Math.min(views[current].states.length - 1, i)); apply(); }
  function show(k) {
    var t = views[current].states[index].t;
    document.getElementById('view' + current).style.display = 'none';
    current = k;
    document.getElementById('view' + current).style.display = 'block';
    var st = views[current].states, j = st.length - 1;
    for (var i = 0; i < st.length; i++) { if (st[i].t >= t) { j = i; break; } }
    go(j);
  }
  function toggle(name) {
    if (views[current].expanded === name) { show(0); return; }
    for (var k = 0; k < views.length; k++) { if (views[k].expanded === name) { show(k); return; } }
  }
  document.getElementById('first').onclick = function () { go(0); };
  document.getElementById('prev').onclick = function () { go(index - 1); };
  document.getElementById('next').onclick = function () { go(index + 1); };
  document.getElementById('last').onclick = function () { go(views[current].states.length - 1); };
  document.getElementById('slider').oninput = function (e) { go(parseInt(e.target.value, 10)); };
  document.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowRight' || e.key === ' ') { go(index + 1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft') { go(index - 1); e.preventDefault(); }
    else if (e.key === 'Home') { go(0); } else if (e.key === 'End') { go(views[current].states.length - 1); }
  });
  window.backprop = { go: go, show: show, toggle: toggle,
                      state: function () { return { view: current, index: index }; },
                      count: function () { return views[current].states.length; } };
  go(0);
})();
"""
