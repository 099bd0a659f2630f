// The API's operations, listed from /openapi.json with the server's own script (no CDN).
// Every text is inserted with textContent: nothing from the description is parsed as HTML.
(function () {
  "use strict";
  var box = document.getElementById("operations");
  if (!box) { return; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function params(op) {
    var list = el("ul");
    (op.parameters || []).forEach(function (p) {
      var li = el("li");
      li.appendChild(el("code", "", p.name));
      li.appendChild(document.createTextNode(" (" + p["in"] + (p.required ? ", required" : "") + ") " +
        (p.description || "")));
      list.appendChild(li);
    });
    return list;
  }
  fetch(box.getAttribute("data-openapi")).then(function (r) { return r.json(); }).then(function (spec) {
    box.textContent = "";
    var byTag = {};
    Object.keys(spec.paths).forEach(function (path) {
      Object.keys(spec.paths[path]).forEach(function (method) {
        var op = spec.paths[path][method];
        var tag = (op.tags && op.tags[0]) || "other";
        (byTag[tag] = byTag[tag] || []).push({ path: path, method: method, op: op });
      });
    });
    (spec.tags || []).map(function (t) { return t.name; }).concat(Object.keys(byTag)).forEach(function (tag) {
      var ops = byTag[tag];
      if (!ops) { return; }
      delete byTag[tag];
      box.appendChild(el("h2", "", tag));
      ops.forEach(function (o) {
        var div = el("div", "op");
        div.appendChild(el("span", "method " + o.method, o.method.toUpperCase()));
        div.appendChild(el("code", "", o.path));
        div.appendChild(el("p", "", (o.op.description || "").split("\n")[0] || o.op.summary || ""));
        var more = el("details");
        more.appendChild(el("summary", "", "Details"));
        more.appendChild(el("pre", "", o.op.description || ""));
        if ((o.op.parameters || []).length) { more.appendChild(params(o.op)); }
        more.appendChild(el("p", "meta", "Answers: " + Object.keys(o.op.responses || {}).join(", ")));
        div.appendChild(more);
        box.appendChild(div);
      });
    });
  }).catch(function (err) {
    box.textContent = "Could not read the API description: " + err;
  });
}());
