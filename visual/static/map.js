/* The map's behaviour: draw the nodes and edges laid out in Python, then focus, search, filter.
   Every outside text is inserted with textContent; nothing here builds HTML from strings. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var FADED = { background: "#e4e7eb", border: "#c3c9d1" };
  var FADED_TEXT = "#b0b7bf";
  var FADED_EDGE = "#e4e7eb";

  function fold(text) {  // as kb.text.fold: Cyrillic to Latin, no diacritics, lower case, words
    var lower = String(text || "").toLowerCase(), out = "";
    for (var ch of lower) {
      out += Object.prototype.hasOwnProperty.call(data.fold, ch) ? data.fold[ch] : ch;
    }
    return out.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, " ").trim();
  }
  function tip(text) {
    var el = document.createElement("div");
    el.className = "map-tip";
    el.textContent = text;
    return el;
  }

  var byId = {}, adj = {}, searchText = {}, baseNode = {}, baseEdge = {};
  var nodeItems = data.nodes.map(function (n) {
    byId[n.id] = n;
    adj[n.id] = new Set();
    searchText[n.id] = " " + n.search + " " + fold(n.label) + " ";
    baseNode[n.id] = { color: n.color, font: n.font };
    var item = Object.assign({}, n);
    item.title = tip(n.tip);
    return item;
  });
  var edgeItems = data.edges.map(function (e) {
    adj[e.from].add(e.to);
    adj[e.to].add(e.from);
    baseEdge[e.id] = e.color;
    var item = Object.assign({}, e);
    item.title = tip(e.tip);
    return item;
  });

  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("map");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  network.once("afterDrawing", function () {
    window.__mapStill = performance.now();
    document.documentElement.setAttribute("data-map-ready", "true");
  });

  var typeOn = {}, pillar = "", country = "", emphasis = null, state = {}, edgeState = {};
  data.nodes.forEach(function (n) { typeOn[n.type] = true; });

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

  function apply() {
    var byPillar = facetSet("pillars", pillar), byCountry = facetSet("countries", country);
    var hidden = {}, nodeUpdates = [], edgeUpdates = [];
    data.nodes.forEach(function (n) {
      var h = !typeOn[n.type] || (byPillar !== null && !byPillar.has(n.id)) ||
        (byCountry !== null && !byCountry.has(n.id));
      var dim = emphasis !== null && !emphasis.has(n.id);
      hidden[n.id] = h;
      var key = (h ? 1 : 0) + (dim ? 2 : 0);
      if ((state[n.id] || 0) === key) return;
      state[n.id] = key;
      var base = baseNode[n.id];
      nodeUpdates.push({
        id: n.id, hidden: h,
        color: dim ? FADED : base.color,
        font: dim ? Object.assign({}, base.font, { color: FADED_TEXT }) : base.font
      });
    });
    data.edges.forEach(function (e) {
      var dim = emphasis !== null && !(emphasis.has(e.from) && emphasis.has(e.to));
      if ((edgeState[e.id] || false) === dim) return;
      edgeState[e.id] = dim;
      edgeUpdates.push({ id: e.id, color: dim ? { color: FADED_EDGE } : baseEdge[e.id] });
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    return hidden;
  }

  function fitTo(ids) {
    var hidden = apply();
    var visible = ids.filter(function (id) { return !hidden[id]; });
    network.fit(visible.length ? { nodes: visible, animation: false } : { animation: false });
  }

  function focusOn(id) {
    emphasis = new Set(adj[id]);
    emphasis.add(id);
    network.selectNodes([id]);
    fitTo(Array.from(emphasis));
  }

  function showAll() {
    emphasis = null;
    network.unselectAll();
    apply();
    network.fit({ animation: false });
  }

  network.on("click", function (params) {
    if (params.nodes.length) focusOn(params.nodes[0]);
    else if (!params.edges.length) showAll();
  });

  var search = document.getElementById("search");
  var status = document.getElementById("search-status");
  var matches = [];
  function runSearch() {
    var query = fold(search.value);
    if (!query) {
      matches = [];
      status.textContent = "";
      showAll();
      return;
    }
    matches = data.nodes.filter(function (n) { return searchText[n.id].indexOf(query) >= 0; })
      .map(function (n) { return n.id; });
    status.textContent = matches.length ? matches.length + " found" + (matches.length > 1 ? "; Enter focuses the first" : "")
      : "Nothing found";
    if (!matches.length) return;
    emphasis = new Set(matches);
    network.selectNodes(matches.slice(0, 200));
    fitTo(matches);
  }
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(runSearch, 120);
  });
  search.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && matches.length) focusOn(matches[0]);
  });

  document.getElementById("filter-pillar").addEventListener("change", function (event) {
    pillar = event.target.value;
    apply();
    network.fit({ animation: false });
  });
  document.getElementById("filter-country").addEventListener("change", function (event) {
    country = event.target.value;
    apply();
    network.fit({ animation: false });
  });
  Array.prototype.forEach.call(document.querySelectorAll(".type-toggle"), function (box) {
    box.addEventListener("change", function () {
      typeOn[box.getAttribute("data-type")] = box.checked;
      apply();
    });
  });
  document.getElementById("reset").addEventListener("click", function () {
    search.value = "";
    status.textContent = "";
    matches = [];
    pillar = country = "";
    document.getElementById("filter-pillar").value = "";
    document.getElementById("filter-country").value = "";
    Array.prototype.forEach.call(document.querySelectorAll(".type-toggle"), function (box) {
      box.checked = true;
      typeOn[box.getAttribute("data-type")] = true;
    });
    showAll();
  });

  window.kbMap = { network: network, nodes: nodes, edges: edges, fold: fold, focusOn: focusOn, showAll: showAll };
})();
