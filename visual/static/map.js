/* The map's behaviour: draw the nodes laid out in Python; draw the labels at a size on screen that
   does not depend on the zoom, where they do not collide; focus, search, filter, timeline,
   presenter mode and print. Every outside text is inserted with textContent; nothing here builds
   HTML from strings. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var FADED = { background: "#e4e7eb", border: "#c3c9d1" };
  var FADED_TEXT = "#8d98a5";
  var FADED_EDGE = "#e4e7eb";
  var FACE = "\"DejaVu Sans\", Arial, Helvetica, sans-serif";
  var GRID_EDGE_OPACITY = 0.28;
  // Labels tried per frame, most important first: a screen holds far fewer, and the rest appear
  // as the view zooms in on them.
  var LABEL_BUDGET = 300;

  function fold(text) {  // as kb.text.fold: Cyrillic to Latin, no diacritics, lower case, words
    var lower = String(text || "").toLowerCase(), out = "";
    for (var ch of lower) {
      out += Object.prototype.hasOwnProperty.call(data.fold, ch) ? data.fold[ch] : ch;
    }
    return out.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, " ").trim();
  }
  function $(id) { return document.getElementById(id); }

  var grouped = !!data.grid, layoutMode = grouped ? "grid" : "network";
  var byId = {}, adj = {}, searchText = {}, baseNode = {}, baseEdge = {}, addresses = {}, edgeState = {};
  var nodeItems = data.nodes.map(function (n) {
    byId[n.id] = n;
    adj[n.id] = new Set();
    addresses[n.id] = [];
    baseNode[n.id] = n.color;
    n.gx = n.x;
    n.gy = n.y;
    // vis-network gets no label (the page draws them; measuring 2,000 unused labels costs a tenth
    // of a second), but a box keeps one blank so that its size constraints apply. Tooltips are
    // plain strings, which vis-network sets as text (innerText), never as markup.
    var item = { id: n.id, x: n.x, y: n.y, shape: n.shape, size: n.size, borderWidth: n.borderWidth,
      color: n.color, title: n.tip, type: n.type, mark: n.mark };
    if (n.widthConstraint) {
      item.label = " ";
      item.widthConstraint = n.widthConstraint;
      item.heightConstraint = n.heightConstraint;
    }
    return item;
  });
  // A large map's edges are drawn by the page (vis-network would spend most of the load making
  // thousands of edge objects; on large maps it offers them no hover anyway).
  var ownEdges = data.nodes.length > (data.large || Infinity);
  var edgeItems = [];
  data.edges.forEach(function (e) {
    adj[e.from].add(e.to);
    adj[e.to].add(e.from);
    if (e.type === "ADDRESSES") {
      addresses[e.from].push(e.to);
      addresses[e.to].push(e.from);
    }
    baseEdge[e.id] = e.color;
    edgeState[e.id] = grouped && !e.mark ? 1 : 0;
    if (ownEdges) return;
    var item = { id: e.id, from: e.from, to: e.to, width: e.width, color: e.color, type: e.type };
    if (e.tip) item.title = e.tip;
    if (e.arrows) item.arrows = e.arrows;
    if (grouped && !e.mark) item.color = { color: e.color.color, opacity: GRID_EDGE_OPACITY };
    edgeItems.push(item);
  });
  var order = data.nodes.slice().sort(function (a, b) { return a.rank - b.rank; });

  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var container = $("map");
  // Selected or hovered, a node keeps its own fill and gets a black border.
  data.options.nodes.chosen = {
    node: function (values) { values.borderColor = "#000000"; },
    label: false
  };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  /* ---- Labels: drawn in screen pixels, most important first, never on top of each other. ---- */

  var presenting = false, emphasis = null, strong = null, placed = [], userMoved = false;
  var widthCache = {};

  function storyPx() {
    var base = Math.max(data.storyPx, Math.round(container.clientHeight / 52));
    return presenting ? Math.round(base * 1.35) : base;
  }
  function font(px, bold) { return (bold ? "bold " : "") + px + "px " + FACE; }
  function textWidth(ctx, text, px, bold) {
    var key = (bold ? "b" : "n") + text, w = widthCache[key];
    if (w === undefined) {
      ctx.font = font(100, bold);
      w = widthCache[key] = ctx.measureText(text).width;
    }
    return w * px / 100;
  }

  function Boxes(cell) { this.cell = cell; this.map = new Map(); }
  Boxes.prototype.keys = function (b, fn) {
    var c = this.cell;
    for (var i = Math.floor(b.x0 / c); i <= Math.floor(b.x1 / c); i++) {
      for (var j = Math.floor(b.y0 / c); j <= Math.floor(b.y1 / c); j++) {
        if (fn(i * 4096 + j)) return true;
      }
    }
    return false;
  };
  Boxes.prototype.add = function (b) {
    var map = this.map;
    this.keys(b, function (k) { (map.get(k) || map.set(k, []).get(k)).push(b); return false; });
  };
  Boxes.prototype.hits = function (b) {
    var map = this.map;
    return this.keys(b, function (k) {
      var list = map.get(k);
      if (!list) return false;
      for (var i = 0; i < list.length; i++) {
        var o = list[i];
        if (o.x0 < b.x1 && b.x0 < o.x1 && o.y0 < b.y1 && b.y0 < o.y1) return true;
      }
      return false;
    });
  };

  var heads = {};
  if (data.grid) {
    data.grid.columns.forEach(function (c) { if (c.node) heads[c.node] = "column"; });
    data.grid.rows.forEach(function (r) { if (r.node) heads[r.node] = "row"; });
  }
  // In the grid, partners and pillars head their column and row: their labels go first.
  var headsFirst = order.filter(function (n) { return heads[n.id]; })
    .concat(order.filter(function (n) { return !heads[n.id]; }));
  function candidates(x, y, rx, ry, w, h, far, head) {
    var below = [x - w / 2, y + ry + 2, 0], above = [x - w / 2, y - ry - 2 - h, 0];
    var right = [x + rx + 4, y - h / 2, 0], left = [x - rx - 4 - w, y - h / 2, 0];
    var first = head === "column" ? [above, below, right, left] : head === "row" ? [left, above, below, right]
      : [below, above, right, left];
    var out = first.concat([
      [x + rx + 2, y + ry * 0.3, 0], [x - rx - 2 - w, y + ry * 0.3, 0],
      [x + rx + 2, y - ry * 0.3 - h, 0], [x - rx - 2 - w, y - ry * 0.3 - h, 0]
    ]);
    if (far) {
      var step = Math.max(h * 0.6, 14);
      for (var d = 1; d <= (far === 2 ? 9 : 4); d++) {
        var s = d * step;
        out.push([x - w / 2, y + ry + 2 + s, 1], [x - w / 2, y - ry - 2 - h - s, 1],
          [x + rx + 4 + s, y - h / 2, 1], [x - rx - 4 - w - s, y - h / 2, 1],
          [x + rx + s * 0.7, y + ry + s * 0.7, 1], [x - rx - w - s * 0.7, y + ry + s * 0.7, 1],
          [x + rx + s * 0.7, y - ry - h - s * 0.7, 1], [x - rx - w - s * 0.7, y - ry - h - s * 0.7, 1]);
      }
    }
    return out;
  }

  function symbolBox(body, scale, x, y) {
    var shape = body.shape || {}, rx, ry;
    if (shape.width && body.options.shape === "box") {
      rx = shape.width * scale / 2;
      ry = shape.height * scale / 2;
    } else {
      rx = ry = (body.options.size || 10) * scale + (body.options.borderWidth || 1) * scale / 2;
    }
    return { rx: Math.max(rx, 2), ry: Math.max(ry, 2), box: { x0: x - rx, y0: y - ry, x1: x + rx, y1: y + ry } };
  }

  function gridTitles(scale, tx, ty) {
    var g = data.grid, out = [];
    if (!g || layoutMode !== "grid") return out;
    var head = g.rows.length ? g.rows[0].start : 0;
    g.columns.forEach(function (c) {
      if (!c.node) out.push({ text: c.title, x: ((c.start + c.end) / 2) * scale + tx, y: (head - 55) * scale + ty });
    });
    g.rows.forEach(function (r) {
      if (!r.node) out.push({ text: r.title, x: -85 * scale + tx, y: ((r.start + r.end) / 2) * scale + ty });
    });
    g.boxes.forEach(function (b) {
      out.push({ text: b.title, x: ((b.x0 + b.x1) / 2) * scale + tx, y: b.y0 * scale + ty - 2, above: true });
    });
    return out;
  }

  function drawLabels(ctx) {
    var ratio = network.canvas.pixelRatio || 1;
    var view = network.body.view, scale = view.scale, tx = view.translation.x, ty = view.translation.y;
    var W = container.clientWidth, H = container.clientHeight;
    var sp = storyPx(), lp = Math.max(12, sp - 3), gp = Math.max(12, Math.round(sp * 0.8));
    var labels = new Boxes(64), symbols = new Boxes(64), stories = new Boxes(64);
    var items = [], out = [];
    var top = 2;
    if (presenting) {
      var bar = $("present-bar");
      if (!bar.hidden) top = bar.offsetHeight + 4;
      labels.add({ x0: 0, y0: 0, x1: W, y1: top });
    }
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    gridTitles(scale, tx, ty).forEach(function (t) {
      var w = textWidth(ctx, t.text, gp, true) + 8, h = gp * 1.25;
      var b = { x0: t.x - w / 2, y0: t.above ? t.y - h : t.y - h / 2, x1: t.x + w / 2, y1: t.above ? t.y : t.y + h / 2 };
      if (b.x1 < 0 || b.x0 > W || b.y1 < top || b.y0 > H || labels.hits(b)) return;
      labels.add(b);
      out.push({ id: null, lines: [t.text], px: gp, bold: true, colour: "#52606d", box: b, lh: h, grid: true });
    });
    var lesserOK = scale >= 0.75;
    var sequence = layoutMode === "grid" ? headsFirst : order;
    for (var i = 0; i < sequence.length; i++) {
      var n = sequence[i], body = network.body.nodes[n.id];
      if (!body || body.options.hidden) continue;
      var x = body.x * scale + tx, y = body.y * scale + ty;
      if (x < -60 || x > W + 60 || y < -60 || y > H + 60) continue;
      var s = symbolBox(body, scale, x, y);
      var lit = emphasis !== null && emphasis.has(n.id);
      var dim = emphasis !== null && !lit;
      var story = !dim && (n.story || (lit && emphasis.size <= 80));
      if (!dim) symbols.add(s.box);  // faded context may lie under a label
      if (story) stories.add(s.box);
      items.push({ n: n, x: x, y: y, s: s, story: story, dim: dim, must: !dim && (n.mark === "overlap" || n.mark === "gap" || n.mark === "focus" || (strong !== null && strong.has(n.id))) });
    }
    // Where the marks are too many to all find room (a crowded map at the zoom that fits it), they
    // give way like the others rather than cover one another; zooming in shows them.
    var forceable = items.filter(function (it) { return it.must; }).length <= 40;
    var crowded = items.filter(function (it) { return it.story; }).length > 150;
    var budget = LABEL_BUDGET;
    items.forEach(function (it) {
      var n = it.n;
      if (it.dim || budget <= 0) return;
      if (!it.story && !(lesserOK || it.s.rx >= 22)) return;
      budget--;
      var px = it.story ? sp : lp, bold = it.story, lh = Math.round(px * 1.22);
      var head = layoutMode === "grid" ? heads[n.id] : null;
      function shape(lines) {
        var w = 0;
        lines.forEach(function (line) { w = Math.max(w, textWidth(ctx, line, px, bold)); });
        return { lines: lines, w: w + 6, h: lh * lines.length + 2 };
      }
      // Near the node in full, near in short, then further out (with a leader line) in full, in short.
      var forms = [shape(n.lines)].concat(n.short && it.story ? [shape(n.short)] : []);
      var attempts = [];
      forms.forEach(function (f) { attempts.push([f, 0]); });
      var far = crowded ? (it.must ? 1 : 0) : it.must ? 2 : 1;
      if (it.story && far) forms.forEach(function (f) { attempts.push([f, far]); });
      var chosen = null;
      for (var pass = 0; pass < (it.story ? 2 : 1) && !chosen; pass++) {
        for (var a = 0; a < attempts.length && !chosen; a++) {
          var form = attempts[a][0], w = form.w, h = form.h;
          var cands = candidates(it.x, it.y, it.s.rx, it.s.ry, w, h, attempts[a][1], head);
          for (var k = attempts[a][1] ? 8 : 0; k < cands.length; k++) {
            var c = cands[k];
            var x0 = Math.min(Math.max(c[0], 2), W - w - 2), y0 = Math.min(Math.max(c[1], top), H - h - 2);
            if (Math.abs(x0 - c[0]) + Math.abs(y0 - c[1]) > 24) continue;  // not pushed far off its place
            var b = { x0: x0, y0: y0, x1: x0 + w, y1: y0 + h };
            if (labels.hits(b) || stories.hits(b) || (pass === 0 && symbols.hitsOther(b, it.s.box))) continue;
            chosen = { box: b, lines: form.lines, far: c[2] || Math.abs(x0 - c[0]) + Math.abs(y0 - c[1]) > 4 };
            break;
          }
        }
      }
      if (!chosen && it.must && forceable) {
        var f = forms[forms.length - 1], first = candidates(it.x, it.y, it.s.rx, it.s.ry, f.w, f.h, 0, head)[0];
        chosen = { box: { x0: first[0], y0: first[1], x1: first[0] + f.w, y1: first[1] + f.h }, lines: f.lines, forced: true };
      }
      if (!chosen) return;
      labels.add(chosen.box);
      out.push({
        id: n.id, lines: chosen.lines, px: px, bold: bold, lh: lh, box: chosen.box, far: !!chosen.far,
        forced: !!chosen.forced, story: it.story, x: it.x, y: it.y, s: it.s,
        colour: n.mark === "faded" ? FADED_TEXT : "#111111"
      });
    });
    out.forEach(function (p) {
      var b = p.box;
      if (p.far) {
        var cx = Math.min(Math.max(p.x, b.x0), b.x1), cy = Math.min(Math.max(p.y, b.y0), b.y1);
        ctx.beginPath();
        ctx.strokeStyle = "#323f4b";
        ctx.lineWidth = 1.5;
        ctx.moveTo(p.x, p.y);
        ctx.lineTo(cx, cy);
        ctx.stroke();
        ctx.beginPath();
        ctx.fillStyle = "#323f4b";
        ctx.arc(cx, cy, 2.5, 0, 2 * Math.PI);
        ctx.fill();
      }
      if (p.forced) {
        ctx.fillStyle = "rgba(255, 255, 255, 0.92)";
        ctx.fillRect(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0);
      }
      ctx.font = font(p.px, p.bold);
      ctx.strokeStyle = "rgba(255, 255, 255, 0.95)";
      ctx.lineWidth = Math.max(3, p.px * 0.3);
      ctx.fillStyle = p.colour;
      var mid = (b.x0 + b.x1) / 2;
      p.lines.forEach(function (line, i) {
        ctx.strokeText(line, mid, b.y0 + 1 + i * p.lh);
        ctx.fillText(line, mid, b.y0 + 1 + i * p.lh);
      });
    });
    ctx.restore();
    placed = out;
  }
  Boxes.prototype.hitsOther = function (b, own) {
    var map = this.map;
    return this.keys(b, function (k) {
      var list = map.get(k);
      if (!list) return false;
      for (var i = 0; i < list.length; i++) {
        var o = list[i];
        if (o !== own && o.x0 < b.x1 && b.x0 < o.x1 && o.y0 < b.y1 && b.y0 < o.y1) return true;
      }
      return false;
    });
  };

  function drawGrid(ctx) {
    var g = data.grid;
    if (!g || layoutMode !== "grid" || !g.columns.length || !g.rows.length) return;
    var scale = network.body.view.scale;
    var x0 = g.columns[0].start, x1 = g.columns[g.columns.length - 1].end;
    var y0 = g.rows[0].start, y1 = g.rows[g.rows.length - 1].end;
    ctx.save();
    g.rows.forEach(function (r, i) {
      ctx.fillStyle = i % 2 ? "#ffffff" : "#f3f5f8";
      ctx.fillRect(x0 - 170, r.start, x1 - x0 + 170, r.end - r.start);
    });
    ctx.strokeStyle = "#c3c9d1";
    ctx.lineWidth = 1.5 / scale;
    ctx.beginPath();
    g.columns.forEach(function (c) {
      ctx.moveTo(c.start, y0 - 110);
      ctx.lineTo(c.start, y1);
    });
    ctx.moveTo(x1, y0 - 110);
    ctx.lineTo(x1, y1);
    ctx.moveTo(x0 - 170, y0);
    ctx.lineTo(x1, y0);
    ctx.stroke();
    ctx.setLineDash([6 / scale, 4 / scale]);
    g.boxes.forEach(function (b) { ctx.strokeRect(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0); });
    ctx.restore();
  }

  var edgesDrawn = 0;
  function drawEdges(ctx) {
    if (!ownEdges) return;
    var scale = network.body.view.scale, bodies = network.body.nodes, groups = new Map();
    edgesDrawn = 0;
    data.edges.forEach(function (e) {
      if (hidden[e.from] || hidden[e.to]) return;
      edgesDrawn++;
      var key = edgeState[e.id], colour = key === 2 ? FADED_EDGE : baseEdge[e.id].color;
      var width = key === 2 ? 1 / scale : Math.max(e.mark ? Math.max(e.width, 4) : e.width, 1 / scale);
      var style = colour + "|" + (key === 1 ? GRID_EDGE_OPACITY : 1) + "|" + width.toFixed(1);
      (groups.get(style) || groups.set(style, []).get(style)).push(e);
    });
    ctx.save();
    ctx.lineCap = "round";
    var arrows = scale > 0.35;
    groups.forEach(function (list, style) {
      var parts = style.split("|");
      ctx.strokeStyle = ctx.fillStyle = parts[0];
      ctx.globalAlpha = Number(parts[1]);
      ctx.lineWidth = Number(parts[2]);
      ctx.beginPath();
      list.forEach(function (e) {
        var a = bodies[e.from], b = bodies[e.to];
        ctx.moveTo(a.x, a.y);
        ctx.lineTo(b.x, b.y);
      });
      ctx.stroke();
      if (!arrows) return;
      ctx.beginPath();
      list.forEach(function (e) {
        if (e.arrows) return;
        var a = bodies[e.from], b = bodies[e.to], dx = b.x - a.x, dy = b.y - a.y, d = Math.sqrt(dx * dx + dy * dy);
        if (d < 1) return;
        var r = (b.options.size || 10) + 2, ux = dx / d, uy = dy / d, tipX = b.x - ux * r, tipY = b.y - uy * r;
        var len = Math.max(8, Number(parts[2]) * 2.5), half = len * 0.45;
        ctx.moveTo(tipX, tipY);
        ctx.lineTo(tipX - ux * len - uy * half, tipY - uy * len + ux * half);
        ctx.lineTo(tipX - ux * len + uy * half, tipY - uy * len - ux * half);
        ctx.closePath();
      });
      ctx.fill();
    });
    ctx.restore();
  }

  network.on("beforeDrawing", drawGrid);
  network.on("beforeDrawing", drawEdges);
  network.on("afterDrawing", drawLabels);
  network.once("afterDrawing", function () {
    window.__mapStill = performance.now();
    document.documentElement.setAttribute("data-map-ready", "true");
  });

  /* ---- Fitting the view: room for labels around the nodes, under the presenter's caption. ---- */

  function fitView(ids, animate) {
    var list = (ids && ids.length ? ids : data.nodes.map(function (n) { return n.id; }))
      .filter(function (id) { var b = network.body.nodes[id]; return b && !b.options.hidden; });
    var W = container.clientWidth, H = container.clientHeight;
    if (!list.length || !W || !H) return;
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    list.forEach(function (id) {
      var b = network.body.nodes[id], r = (b.options.size || 10) * 1.3;
      x0 = Math.min(x0, b.x - r); x1 = Math.max(x1, b.x + r);
      y0 = Math.min(y0, b.y - r); y1 = Math.max(y1, b.y + r);
    });
    if (!(ids && ids.length) && layoutMode === "grid" && data.grid && data.grid.columns.length) {
      y0 = Math.min(y0, data.grid.rows[0].start - 110);
    }
    var sp = storyPx();
    var top = 8, bar = $("present-bar");
    if (presenting && !bar.hidden) top = bar.offsetHeight + 8;
    var padX = Math.min(W * 0.1, sp * 6), padTop = top + sp, padBottom = sp * 4;
    var bw = Math.max(x1 - x0, 1), bh = Math.max(y1 - y0, 1);
    var scale = Math.min((W - 2 * padX) / bw, (H - padTop - padBottom) / bh, presenting ? 2.0 : 1.5);
    scale = Math.max(scale, 0.01);
    var midY = (padTop + H - padBottom) / 2;
    moving = !!animate;
    network.moveTo({
      position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 - (midY - H / 2) / scale },
      scale: scale,
      animation: animate ? { duration: 450, easingFunction: "easeInOutQuad" } : false
    });
  }

  /* ---- What is shown: filters, timeline, emphasis; the header, legend and findings follow. ---- */

  var typeOn = {}, pillar = "", country = "", cycle = "", when = null, whenWords = "";
  var state = {}, hidden = {};
  var mapped = {};
  (data.mappedTypes || []).forEach(function (t) { mapped[t] = true; });
  data.nodes.forEach(function (n) { typeOn[n.type] = true; });
  var storedFilters = $("map-filters").textContent;

  function facetSet(key, value) {
    if (!value) return null;
    var shown = new Set();
    data.nodes.forEach(function (n) {
      if (n[key].indexOf(value) < 0) return;
      shown.add(n.id);
      adj[n.id].forEach(function (m) { if (!byId[m][key].length) shown.add(m); });
    });
    return shown;
  }
  function activeIn(n, span) {
    if (n.period === false) return false;
    var s = n.period[0], e = n.period[1];
    return (!span[1] || !s || s <= span[1]) && (!span[0] || !e || e >= span[0]);
  }
  function timeSet() {
    if (when === null && !cycle) return null;
    var bound = {}, ok = {};
    data.nodes.forEach(function (n) {
      var timed = n.period !== undefined, cycled = !!mapped[n.type];
      if (!timed && !(cycle && cycled)) return;
      bound[n.id] = true;
      ok[n.id] = (when === null || !timed || activeIn(n, when)) && (!cycle || !cycled || n.cycle === cycle);
    });
    if (cycle) {  // needs and projects of the cycle, and what answers them or they answer
      data.nodes.forEach(function (n) {
        if (n.cycle !== cycle) return;
        addresses[n.id].forEach(function (m) {
          if (when === null || byId[m].period === undefined || activeIn(byId[m], when)) ok[m] = true;
        });
      });
    }
    var shown = new Set();
    data.nodes.forEach(function (n) {
      if (bound[n.id]) {
        if (ok[n.id]) shown.add(n.id);
        return;
      }
      if (n.type === "Pillar" || n.type === "Country") { shown.add(n.id); return; }
      var any = false, active = false;
      adj[n.id].forEach(function (m) { if (bound[m]) { any = true; if (ok[m]) active = true; } });
      if (!any || active) shown.add(n.id);
    });
    return shown;
  }

  function apply(first) {
    var byPillar = facetSet("pillars", pillar), byCountry = facetSet("countries", country), byTime = timeSet();
    var nodeUpdates = [], edgeUpdates = [];
    data.nodes.forEach(function (n) {
      var h = !typeOn[n.type] || (byPillar !== null && !byPillar.has(n.id)) ||
        (byCountry !== null && !byCountry.has(n.id)) || (byTime !== null && !byTime.has(n.id));
      var dim = emphasis !== null && !emphasis.has(n.id);
      hidden[n.id] = h;
      var key = (h ? 1 : 0) + (dim ? 2 : 0);
      if ((state[n.id] || 0) === key) return;
      state[n.id] = key;
      nodeUpdates.push({ id: n.id, hidden: h, color: dim ? FADED : baseNode[n.id] });
    });
    data.edges.forEach(function (e) {
      var dim = emphasis !== null && !(emphasis.has(e.from) && emphasis.has(e.to));
      var faint = !dim && layoutMode === "grid" && grouped && !e.mark &&
        !(emphasis !== null && emphasis.size < 200);
      var key = dim ? 2 : faint ? 1 : 0;
      if (edgeState[e.id] === key) return;
      edgeState[e.id] = key;
      edgeUpdates.push({
        id: e.id,
        width: dim ? Math.min(e.width, 1.5) : e.width,  // faded context stays thin, even zoomed in
        color: dim ? { color: FADED_EDGE, opacity: 1 } : Object.assign({}, baseEdge[e.id], { opacity: faint ? GRID_EDGE_OPACITY : 1 })
      });
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length && !ownEdges) edges.update(edgeUpdates);
    if (ownEdges && edgeUpdates.length && !nodeUpdates.length) network.redraw();
    // At first sight with nothing filtered, the header, legend and findings are the page's own.
    if (!(first && byPillar === null && byCountry === null && byTime === null)) report();
    return hidden;
  }

  function report() {
    var shownNodes = 0, shownEdges = 0, byType = {}, byEdge = {};
    data.nodes.forEach(function (n) {
      if (hidden[n.id]) return;
      shownNodes++;
      byType[n.type] = (byType[n.type] || 0) + 1;
    });
    data.edges.forEach(function (e) {
      if (hidden[e.from] || hidden[e.to]) return;
      shownEdges++;
      byEdge[e.type] = (byEdge[e.type] || 0) + 1;
    });
    var all = shownNodes === data.nodes.length && shownEdges === data.edges.length;
    function n(x) { return x.toLocaleString("en-US"); }
    $("map-counts").textContent = all ? n(data.nodes.length) + " nodes, " + n(data.edges.length) + " links"
      : n(shownNodes) + " of " + n(data.nodes.length) + " nodes, " + n(shownEdges) + " of " + n(data.edges.length) + " links shown";
    var words = [];
    if (pillar) words.push("Pillar: " + byId[pillar].label);
    if (country) words.push("Partner: " + byId[country].label);
    if (whenWords) words.push(whenWords);
    if (cycle) words.push("Cycle: " + cycle);
    var off = Object.keys(typeOn).filter(function (t) { return !typeOn[t]; }).sort();
    if (off.length) words.push("Hidden types: " + off.join(", "));
    var stored = storedFilters.indexOf("No filters") === 0 ? "" : storedFilters;
    $("map-filters").textContent = words.length
      ? (stored ? stored + "; in the map: " : "Filters chosen in the map: ") + words.join("; ")
      : storedFilters;
    Array.prototype.forEach.call(document.querySelectorAll("[data-count-type]"), function (el) {
      el.textContent = String(byType[el.getAttribute("data-count-type")] || 0);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-count-edge]"), function (el) {
      el.textContent = String(byEdge[el.getAttribute("data-count-edge")] || 0);
    });
    showFindings();
  }

  function holds(key) {
    if (!key) return true;
    var all = key.all || [], some = key.some || [], k = key.k || 0;
    for (var i = 0; i < all.length; i++) if (!byId[all[i]] || hidden[all[i]]) return false;
    var seen = 0;
    for (var j = 0; j < some.length; j++) if (byId[some[j]] && !hidden[some[j]]) seen++;
    return seen >= Math.min(k, some.length);
  }
  var findingsList = document.querySelector("#findings ol"), findingsShownText = null;
  function showFindings() {
    if (!findingsList) return;
    var shown = data.findings.filter(function (f) { return holds(f.key); });
    var text = shown.map(function (f) { return f.text; }).join("\n");
    if (text === findingsShownText) return;
    findingsShownText = text;
    while (findingsList.firstChild) findingsList.removeChild(findingsList.firstChild);
    shown.slice(0, data.findingsShown).forEach(function (f) {
      var li = document.createElement("li");
      li.textContent = f.text;
      findingsList.appendChild(li);
    });
    var more = $("findings-more"), rest = shown.length - data.findingsShown;
    more.hidden = rest <= 0 && shown.length > 0;
    more.textContent = shown.length ? "and " + rest + " more (see the CLI report)"
      : "None of these under the filters chosen.";
  }

  function focusOn(id) {
    emphasis = new Set(adj[id]);
    emphasis.add(id);
    strong = null;
    network.selectNodes([id]);
    apply();
    fitView(Array.from(emphasis));
  }

  function showAll() {
    emphasis = null;
    strong = null;
    network.unselectAll();
    apply();
    fitView();
    userMoved = false;
  }

  network.on("click", function (params) {
    if (params.nodes.length) focusOn(params.nodes[0]);
    else if (!params.edges.length) showAll();
  });
  var moving = false;
  network.on("animationFinished", function () { moving = false; });
  network.on("zoom", function () { userMoved = true; });
  network.on("dragEnd", function (params) { if (!params.nodes.length) userMoved = true; });

  var search = $("search");
  var status = $("search-status");
  var matches = [];
  function runSearch() {
    var query = fold(search.value);
    if (query && !searchText.ready) {  // folded once, at the first search
      data.nodes.forEach(function (n) { searchText[n.id] = " " + n.search + " " + fold(n.label) + " "; });
      searchText.ready = true;
    }
    matches = query ? data.nodes.filter(function (n) { return searchText[n.id].indexOf(query) >= 0; })
      .map(function (n) { return n.id; }) : [];
    status.textContent = !query ? "" : matches.length
      ? matches.length + " found" + (matches.length > 1 ? "; Enter focuses the first" : "") : "Nothing found";
    if (!matches.length) {  // an empty or fruitless search leaves nothing selected from before
      showAll();
      return;
    }
    emphasis = new Set(matches);
    strong = null;
    network.selectNodes(matches.slice(0, 200));
    apply();
    fitView(matches);
  }
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(runSearch, 120);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && matches.length) focusOn(matches[0]);
  });

  function refilter() {
    apply();
    fitView();
    if (presenting) pickSteps();
  }
  $("filter-pillar").addEventListener("change", function (event) { pillar = event.target.value; refilter(); });
  $("filter-country").addEventListener("change", function (event) { country = event.target.value; refilter(); });
  Array.prototype.forEach.call(document.querySelectorAll(".type-toggle"), function (box) {
    box.addEventListener("change", function () {
      typeOn[box.getAttribute("data-type")] = box.checked;
      apply();
    });
  });

  /* ---- Timeline: a year at a time (or the period the command line gave), and mapping cycles. ---- */

  var timeline = data.timeline, slider = $("timeline"), cycleBox = $("filter-cycle");
  function setYear(index) {
    var years = timeline.years;
    if (index > 0 && index <= years.length) {
      var y = years[index - 1];
      when = [y + "-01-01", y + "-12-31"];
      whenWords = "Active in " + y;
    } else {
      when = null;
      whenWords = "";
    }
    if (slider) {
      slider.value = String(index);
      $("timeline-value").textContent = when ? String(years[index - 1]) : "All periods";
    }
  }
  if (slider) {
    slider.addEventListener("input", function () { setYear(Number(slider.value)); refilter(); });
  }
  if (cycleBox) {
    cycleBox.addEventListener("change", function () { cycle = cycleBox.value; refilter(); });
  }
  function startTimeline() {
    if (!timeline) return;
    var start = timeline.start || {};
    if (start.from || start.to) {
      when = [start.from || null, start.to || null];
      whenWords = "Active " + (start.from || "…") + " – " + (start.to || "open");
      if (slider) {
        var y = Number((start.from || start.to).slice(0, 4)), i = timeline.years.indexOf(y);
        slider.value = String(i + 1);
        $("timeline-value").textContent = (start.from || "…") + " – " + (start.to || "open");
      }
    }
    if (start.cycle && cycleBox) {
      cycle = start.cycle;
      cycleBox.value = start.cycle;
    }
  }

  $("reset").addEventListener("click", function () {
    search.value = "";
    status.textContent = "";
    matches = [];
    pillar = country = cycle = "";
    $("filter-pillar").value = "";
    $("filter-country").value = "";
    if (cycleBox) cycleBox.value = "";
    if (timeline) setYear(0);
    Array.prototype.forEach.call(document.querySelectorAll(".type-toggle"), function (box) {
      box.checked = true;
      typeOn[box.getAttribute("data-type")] = true;
    });
    showAll();
  });

  /* ---- Layouts: the partner × pillar grid, or the network of every link. ---- */

  var layoutButton = $("layout-toggle");
  function setLayout(mode) {
    layoutMode = mode;
    nodes.update(data.nodes.map(function (n) {
      return { id: n.id, x: mode === "grid" ? n.gx : n.fx, y: mode === "grid" ? n.gy : n.fy };
    }));
    data.edges.forEach(function (e) { edgeState[e.id] = -1; });
    apply();
    if (layoutButton) {
      layoutButton.textContent = mode === "grid" ? "Network layout" : "Grid layout";
      layoutButton.setAttribute("aria-pressed", mode === "grid" ? "false" : "true");
    }
    fitView(emphasis ? Array.from(emphasis) : null);
  }
  if (layoutButton) {
    layoutButton.addEventListener("click", function () { setLayout(layoutMode === "grid" ? "network" : "grid"); });
  }

  /* ---- Presenter mode: overview, each overlap, each gap, coverage; arrow keys or a clicker. ---- */

  var steps = [], stepAt = 0;
  var bar = $("present-bar"), coverageBox = $("coverage");
  function pickSteps() {
    steps = (data.steps || []).filter(function (s) {
      return s.finding === undefined || holds(data.findings[s.finding] && data.findings[s.finding].key);
    });
    if (stepAt >= steps.length) stepAt = Math.max(steps.length - 1, 0);
  }
  function relayout(then) {  // the page's layout changed: measure the map's box again, then draw
    network.setSize("100%", "100%");
    then();
    network.redraw();
  }
  function enterPresent(gesture) {
    if (presenting) return;
    presenting = true;
    document.body.classList.add("presenting");
    bar.hidden = false;
    if (gesture && document.fullscreenEnabled && !document.fullscreenElement) {
      var asked = document.documentElement.requestFullscreen();
      if (asked && asked.catch) asked.catch(function () {});
    }
    pickSteps();
    stepAt = 0;
    relayout(function () { showStep(0, false); });
  }
  function leavePresent() {
    if (!presenting) return;
    presenting = false;
    document.body.classList.remove("presenting");
    bar.hidden = true;
    coverageBox.hidden = true;
    if (document.fullscreenElement) document.exitFullscreen().catch(function () {});
    emphasis = null;
    strong = null;
    relayout(function () { apply(); fitView(); });
  }
  function showStep(i, animate) {
    if (!steps.length) return;
    stepAt = Math.min(Math.max(i, 0), steps.length - 1);
    var step = steps[stepAt];
    $("present-caption").textContent = step.caption;
    $("present-step").textContent = (stepAt + 1) + " / " + steps.length + " · " +
      { overview: "Overview", overlap: "Overlap", gap: "Gap", coverage: "Coverage" }[step.kind] +
      " · → or PageDown next, ← or PageUp back, Esc ends";
    coverageBox.hidden = step.kind !== "coverage";
    network.unselectAll();
    if (step.kind === "overlap" || step.kind === "gap") {
      emphasis = new Set(step.zoom.concat(step.highlight));
      strong = new Set(step.highlight);
      apply();
      fitView(step.zoom, animate);
    } else {
      emphasis = step.kind === "coverage" ? new Set() : null;
      strong = null;
      apply();
      fitView(null, animate);
      if (step.kind === "coverage") drawCoverage();
    }
    document.documentElement.setAttribute("data-step", String(stepAt));
    network.redraw();
  }
  function drawCoverage() {
    var c = data.coverage;
    while (coverageBox.firstChild) coverageBox.removeChild(coverageBox.firstChild);
    if (!c) return;
    var table = document.createElement("table"), head = document.createElement("tr");
    function cell(tag, text, cls) {
      var el = document.createElement(tag);
      el.textContent = text;
      if (cls) el.className = cls;
      return el;
    }
    head.appendChild(cell("th", "Partner"));
    c.pillars.forEach(function (p) { head.appendChild(cell("th", p.name)); });
    table.appendChild(head);
    var at = {};
    c.cells.forEach(function (x) { at[x.partner + "|" + x.pillar] = x; });
    c.partners.forEach(function (p) {
      if (country && p.id !== country) return;
      var row = document.createElement("tr");
      row.appendChild(cell("th", p.name));
      c.pillars.forEach(function (q) {
        var x = at[p.id + "|" + q.id];
        if (pillar && q.id !== pillar) { row.appendChild(cell("td", "", "empty")); return; }
        if (!x || !x.needs) { var td = cell("td", x && x.projects ? x.projects + " project(s)" : "no needs", "empty"); row.appendChild(td); return; }
        var el = cell("td", x.addressed + " of " + x.needs + " answered",
          x.addressed === 0 ? "none" : x.addressed < x.needs ? "some" : "all");
        var small = document.createElement("small");
        small.textContent = x.projects + " project" + (x.projects === 1 ? "" : "s") + (x.amounts ? " · " + x.amounts : "");
        el.appendChild(small);
        row.appendChild(el);
      });
      table.appendChild(row);
    });
    coverageBox.appendChild(table);
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA";
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (!presenting) {
      if ((event.key === "p" || event.key === "P") && !typing(event.target)) {
        event.preventDefault();
        enterPresent(true);
      }
      return;
    }
    var next = { ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1, Enter: 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1, Backspace: -1 };
    if (Object.prototype.hasOwnProperty.call(next, event.key)) {
      event.preventDefault();
      showStep(stepAt + next[event.key], true);
    } else if (event.key === "Home") {
      showStep(0, true);
    } else if (event.key === "End") {
      showStep(steps.length - 1, true);
    } else if (event.key === "Escape" || event.key === "p" || event.key === "P") {
      event.preventDefault();
      leavePresent();
    }
  });
  document.addEventListener("fullscreenchange", function () {
    if (!document.fullscreenElement && presenting) leavePresent();
  });
  $("present-toggle").addEventListener("click", function () {
    if (presenting) leavePresent(); else enterPresent(true);
  });

  /* ---- Print: the map redrawn at the printed size, with its labels; nothing else changes. ---- */

  var MM = 96 / 25.4;
  function printLayout(width, height) {
    var w = width || Math.round(190 * MM), h = height || Math.round(140 * MM);
    container.style.width = w + "px";
    container.style.height = h + "px";
    network.setSize(w + "px", h + "px");
    network.redraw();
    fitView();
    network.redraw();
  }
  function screenLayout() {
    container.style.width = "";
    container.style.height = "";
    network.setSize("100%", "100%");
    network.redraw();
    fitView();
  }
  window.addEventListener("beforeprint", function () { printLayout(); });
  window.addEventListener("afterprint", screenLayout);
  $("print").addEventListener("click", function () { window.print(); });

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (presenting) showStep(stepAt, false);
      else if (!userMoved) fitView(emphasis ? Array.from(emphasis) : null);
    }, 150);
  });

  startTimeline();
  apply(true);
  if (data.present) enterPresent(false);  // before the first frame, so a still shows the first step
  else fitView();

  // The nodes as the page knows them: vis-network's data set, with the labels it draws.
  function labelled(item) { return item && Object.assign({ label: byId[item.id].label, lines: byId[item.id].lines, short: byId[item.id].short, story: byId[item.id].story }, item); }
  var nodeView = {
    get: function (a, b) { var r = nodes.get(a, b); return Array.isArray(r) ? r.map(labelled) : labelled(r); },
    getIds: function (a) { return nodes.getIds(a); },
    update: function (u) { return nodes.update(u); },
    dataSet: nodes
  };
  Object.defineProperty(nodeView, "length", { get: function () { return nodes.length; } });
  window.kbMap = {
    network: network, nodes: nodeView, edges: edges, fold: fold, focusOn: focusOn, showAll: showAll,
    labels: function () {
      return placed.filter(function (p) { return p.id !== null; }).map(function (p) {
        return { id: p.id, lines: p.lines, px: p.px, story: p.story, forced: p.forced,
          x0: p.box.x0, y0: p.box.y0, x1: p.box.x1, y1: p.box.y1 };
      });
    },
    steps: function () { return steps.slice(); },
    moving: function () { return moving; },
    edgesDrawn: function () { return ownEdges ? edgesDrawn : network.body.edgeIndices.length; },
    step: function () { return presenting ? stepAt : null; },
    present: enterPresent, leave: leavePresent, showStep: showStep,
    setLayout: setLayout, layout: function () { return layoutMode; },
    printLayout: printLayout, screenLayout: screenLayout, fitView: fitView
  };
})();
