// The sample browser (samples/RUN/TASK.html) and the two-row comparison (pair.html).
// Data files are scripts that call LB.put(id, data), so they load from file:// as well as from a
// server. Filters run on the index; documents come from pre-rendered HTML fragments, a page at a
// time; only a free-text search loads every data file of the documents it searches.
(function () {
  "use strict";

  var store = {};
  var waiting = {};
  window.LB = {
    put: function (id, data) {
      store[id] = data;
      var ws = waiting[id] || [];
      delete waiting[id];
      ws.forEach(function (w) { w.resolve(data); });
    }
  };

  function load(root, id) {
    if (store[id]) return Promise.resolve(store[id]);
    return new Promise(function (resolve, reject) {
      var first = !waiting[id];
      (waiting[id] = waiting[id] || []).push({ resolve: resolve, reject: reject });
      if (!first) return;
      var s = document.createElement("script");
      s.src = root + id + ".js";
      s.onerror = function () {
        var ws = waiting[id] || [];
        delete waiting[id];
        ws.forEach(function (w) { w.reject(new Error("cannot load " + id + ".js")); });
      };
      document.head.appendChild(s);
    });
  }

  // Load data files a few at a time, reporting progress (a search over a 40,000-output run).
  function loadMany(root, ids, progress) {
    var i = 0, done = 0;
    return new Promise(function (resolve, reject) {
      if (!ids.length) return resolve();
      function next() {
        if (i >= ids.length) return;
        var id = ids[i++];
        load(root, id).then(function () {
          done += 1;
          if (progress) progress(done, ids.length);
          if (done === ids.length) resolve(); else next();
        }, reject);
      }
      for (var k = 0; k < 6; k++) next();
    });
  }

  function unique(xs) {
    var seen = {}, out = [];
    xs.forEach(function (x) { if (!seen[x]) { seen[x] = true; out.push(x); } });
    return out;
  }

  function esc(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // The text a reader sees in a fragment, for the free-text search.
  function plain(html) {
    return html.replace(/<[^>]*>/g, " ").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#34;|&quot;/g, '"')
      .replace(/&#39;/g, "'").replace(/&amp;/g, "&").toLowerCase();
  }

  var collator = new Intl.Collator(undefined, { numeric: true });

  function fmtNum(v) {
    if (v === null || v === undefined) return "–";
    return Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.01) ? v.toPrecision(3) : String(Math.round(v * 1000) / 1000);
  }

  function pager(el, page, pages, onGo) {
    if (!el) return;
    el.innerHTML = "";
    if (pages <= 1) return;
    function button(label, target, disabled) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.disabled = disabled;
      b.addEventListener("click", function () { onGo(target); });
      el.appendChild(b);
    }
    button("« first", 0, page === 0);
    button("‹ previous", page - 1, page === 0);
    var span = document.createElement("span");
    span.className = "page-of";
    span.textContent = " page " + (page + 1) + " of " + pages + " ";
    el.appendChild(span);
    button("next ›", page + 1, page >= pages - 1);
    button("last »", pages - 1, page >= pages - 1);
  }

  function hashParams() {
    return new URLSearchParams(location.hash.replace(/^#/, ""));
  }

  // ---- the sample browser ---------------------------------------------------------------------
  function initBrowser(list) {
    var root = list.getAttribute("data-root");
    var indexId = list.getAttribute("data-index");
    var base = indexId.replace(/\/index$/, "");
    var q = function (sel) { return document.querySelector(sel); };
    var c = {
      verdict: q("#f-verdict"), groups: Array.prototype.slice.call(document.querySelectorAll(".f-group")),
      metric: q("#f-metric"), op: q("#f-op"), num: q("#f-num"), text: q("#f-text"), count: q("#shown-count")
    };
    var state = { page: 0, token: 0 };
    var plainCache = {};

    load(root, indexId).then(function (idx) {
      var docs = idx.docs;
      var h = hashParams();
      if (h.get("v") !== null) c.verdict.value = h.get("v");
      c.groups.forEach(function (g) { var v = h.get("g" + g.getAttribute("data-key")); if (v !== null) g.value = v; });
      if (c.metric && h.get("m") !== null) c.metric.value = h.get("m");
      if (c.op && h.get("op") !== null) c.op.value = h.get("op");
      if (c.num && h.get("x") !== null) c.num.value = h.get("x");
      if (h.get("q") !== null) c.text.value = h.get("q");
      state.page = parseInt(h.get("p") || "1", 10) - 1 || 0;

      function matches(d) {
        if (c.verdict.value && d[2] !== c.verdict.value) return false;
        for (var i = 0; i < c.groups.length; i++) {
          var g = c.groups[i];
          if (g.value !== "" && d[3][parseInt(g.getAttribute("data-key"), 10)] !== parseInt(g.value, 10)) return false;
        }
        if (c.op && c.op.value) {
          var v = d[4][parseInt(c.metric.value, 10)];
          if (c.op.value === "none") return v === null || v === undefined;
          var x = parseFloat(c.num.value);
          if (v === null || v === undefined) return false;
          if (isNaN(x)) return true;
          switch (c.op.value) {
            case "eq": return v === x;
            case "ne": return v !== x;
            case "lt": return v < x;
            case "le": return v <= x;
            case "gt": return v > x;
            case "ge": return v >= x;
          }
        }
        return true;
      }

      function fragments(d) { return store[base + "/c" + d[1]].docs[d[0]]; }

      function plainOf(d) {
        if (!(d[0] in plainCache)) plainCache[d[0]] = plain(fragments(d).slice(0, 3).join(" ") + " " + d[0]);
        return plainCache[d[0]];
      }

      function card(d) {
        var f = fragments(d);
        return '<article class="sample v-' + f[3] + '" data-doc="' + esc(d[0]) + '"><header>' + f[0] + "</header>" +
          f[1] + f[2] + "</article>";
      }

      function writeHash() {
        var p = new URLSearchParams();
        if (c.verdict.value) p.set("v", c.verdict.value);
        c.groups.forEach(function (g) { if (g.value !== "") p.set("g" + g.getAttribute("data-key"), g.value); });
        if (c.op && c.op.value) { p.set("m", c.metric.value); p.set("op", c.op.value); p.set("x", c.num.value); }
        if (c.text.value.trim()) p.set("q", c.text.value.trim());
        if (state.page) p.set("p", String(state.page + 1));
        var text = p.toString();
        history.replaceState(null, "", text ? "#" + text : location.pathname + location.search);
      }

      function render(found, my) {
        var size = idx.pageSize;
        var pages = Math.max(1, Math.ceil(found.length / size));
        if (state.page >= pages) state.page = pages - 1;
        if (state.page < 0) state.page = 0;
        var slice = found.slice(state.page * size, (state.page + 1) * size);
        var ids = unique(slice.map(function (d) { return base + "/c" + d[1]; }));
        return loadMany(root, ids).then(function () {
          if (my !== state.token) return;
          list.innerHTML = slice.map(card).join("\n");
          var from = found.length ? state.page * size + 1 : 0;
          c.count.textContent = found.length + " of " + docs.length + " match" +
            (found.length > size ? " · showing " + from + "–" + (state.page * size + slice.length) : "");
          var go = function (p) { state.page = p; apply(false); window.scrollTo(0, list.offsetTop - 80); };
          pager(q("#pager-top"), state.page, pages, go);
          pager(q("#pager-bottom"), state.page, pages, go);
          list.setAttribute("data-ready", "1");
        });
      }

      function apply(resetPage) {
        if (resetPage) state.page = 0;
        var my = ++state.token;
        list.removeAttribute("data-ready");
        var found = docs.filter(matches);
        var needle = c.text.value.trim().toLowerCase();
        var step = Promise.resolve(found);
        if (needle) {
          var ids = unique(found.map(function (d) { return base + "/c" + d[1]; }));
          step = loadMany(root, ids, function (done, total) {
            if (my === state.token && total > 1) c.count.textContent = "searching… " + done + " of " + total + " data files";
          }).then(function () {
            return found.filter(function (d) { return plainOf(d).indexOf(needle) >= 0; });
          });
        }
        return step.then(function (result) {
          if (my !== state.token) return;
          writeHash();
          return render(result, my);
        }).catch(function (e) { c.count.textContent = String(e.message || e); });
      }

      var timer = null;
      [c.verdict, c.metric, c.op].concat(c.groups).forEach(function (el) {
        if (el) el.addEventListener("change", function () { apply(true); });
      });
      [c.num, c.text].forEach(function (el) {
        if (!el) return;
        el.addEventListener("input", function () {
          clearTimeout(timer);
          timer = setTimeout(function () { apply(true); }, 200);
        });
      });
      apply(false);
    }).catch(function (e) { c.count.textContent = String(e.message || e); });
  }

  // ---- two rows of a benchmark, sample by sample --------------------------------------------------
  function initPair(table) {
    var root = table.getAttribute("data-root");
    var q = function (sel) { return document.querySelector(sel); };
    var params = new URLSearchParams(location.search);
    var key = params.get("key");
    var count = q("#shown-count");
    if (!key) {
      q("#test-line").textContent = "Pick two rows on a benchmark page (“Compare any two”).";
      return;
    }
    load(root, "data/pairs/" + key).then(function (man) {
      var rows = {};
      man.rows.forEach(function (r) { rows[r.slug] = r; });
      var a = params.get("a") || (man.rows[0] || {}).slug;
      var b = params.get("b") || (man.rows[1] || {}).slug;
      q("#pair-key").value = key;
      ["#pair-a", "#pair-b"].forEach(function (sel, k) {
        var el = q(sel);
        el.innerHTML = man.rows.map(function (r) {
          return '<option value="' + esc(r.slug) + '"' + (r.slug === (k ? b : a) ? " selected" : "") + ">" +
            esc(r.label) + (r.rank ? " (#" + r.rank + ")" : "") + "</option>";
        }).join("");
      });
      q("#pair-back").innerHTML = '<a href="' + esc(root + man.bench) + '">back to ' + esc(man.label) + "</a>";
      var A = rows[a], B = rows[b];
      if (!A || !B) throw new Error("no row '" + (A ? b : a) + "' on " + man.label);
      q("#pair-title").textContent = man.label + ": " + A.label + " vs " + B.label;
      document.title = q("#pair-title").textContent;
      q("#head-a").textContent = "A: " + A.label;
      q("#head-b").textContent = "B: " + B.label;
      if (!A.data || !B.data) throw new Error("no sample records for " + (A.data ? B.label : A.label) + ": " + ((A.data ? B : A).error || ""));
      return Promise.all([load(root, A.data + "/index"), load(root, B.data + "/index")]).then(function (ix) {
        showPair(root, man, A, B, ix[0], ix[1], table, count);
      });
    }).catch(function (e) { q("#test-line").textContent = String(e.message || e); });
  }

  function valuesOf(idx, d) {
    var out = {};
    idx.metrics.forEach(function (m, i) { if (d[4][i] !== null && d[4][i] !== undefined) out[m] = d[4][i]; });
    return out;
  }

  function sameValues(x, y) {
    var kx = Object.keys(x), ky = Object.keys(y);
    if (kx.length !== ky.length) return false;
    return kx.every(function (k) { return y.hasOwnProperty(k) && y[k] === x[k]; });
  }

  function showPair(root, man, A, B, ia, ib, table, count) {
    var q = function (sel) { return document.querySelector(sel); };
    var byA = {}, byB = {};
    ia.docs.forEach(function (d) { byA[d[0]] = d; });
    ib.docs.forEach(function (d) { byB[d[0]] = d; });
    var ids = unique(Object.keys(byA).concat(Object.keys(byB))).sort(collator.compare);
    var metric = man.metric;
    var rows = ids.map(function (id) {
      var da = byA[id], db = byB[id];
      var va = da ? valuesOf(ia, da) : null, vb = db ? valuesOf(ib, db) : null;
      var both = !!(da && db);
      return { id: id, a: da, b: db, shared: both, differs: both && !sameValues(va, vb),
               headline: both && metric !== null && va[metric] !== vb[metric] };
    });
    var shared = rows.filter(function (r) { return r.shared; }).length;
    var nDiffer = rows.filter(function (r) { return r.differs; }).length;
    var nHead = rows.filter(function (r) { return r.headline; }).length;
    var t = man.tests[A.slug + "|" + B.slug], swapped = false;
    if (!t) { t = man.tests[B.slug + "|" + A.slug]; swapped = !!t; }
    var scale = function (v) { return v === null || v === undefined ? "–" : man.pct ? (100 * v).toFixed(1) : fmtNum(v); };
    var line = shared + " shared documents: " + nHead + " with a different " + metric + ", " + nDiffer +
      " with any per-document value different.";
    var meanA = "–", meanB = "–";
    if (A.slug === B.slug) {
      line += " A and B are the same row.";
    } else if (t) {
      meanA = scale(swapped ? t.mean_b : t.mean_a);
      meanB = scale(swapped ? t.mean_a : t.mean_b);
      line += " Paired test: " + t.method;
      if (t.tested) {
        var diff = t.diff === null ? null : (swapped ? -t.diff : t.diff);
        line += ", A − B = " + scale(diff) + (t.p.charAt(0) === "<" ? ", p " : ", p = ") + t.p + " (" + (t.significant ? "significant" : "not significant") + " at 0.05)";
        if (t.method === "mcnemar-exact") line += ", " + (swapped ? t.b_only : t.a_only) + " vs " + (swapped ? t.a_only : t.b_only) + " discordant";
      }
      line += ".";
    }
    q("#test-line").textContent = line;
    q("#summary tbody").innerHTML =
      "<tr><th></th><th>A: " + esc(A.label) + "</th><th>B: " + esc(B.label) + "</th></tr>" +
      "<tr><th>rank · " + esc(man.metric) + "</th><td>#" + esc(A.rank) + " · " + esc(A.value) + "</td><td>#" + esc(B.rank) + " · " + esc(B.value) + "</td></tr>" +
      "<tr><th>" + esc(man.metric) + " on shared docs</th><td class=\"num\" id=\"mean-a\">" + meanA + "</td><td class=\"num\" id=\"mean-b\">" + meanB + "</td></tr>" +
      "<tr><th>run</th><td><a href=\"" + esc(root + A.data) + ".html\">" + esc(A.run) + "</a></td><td><a href=\"" + esc(root + B.data) + ".html\">" + esc(B.run) + "</a></td></tr>";

    var only = q("#only-differ"), text = q("#pair-text");
    var state = { page: 0, token: 0 };
    var size = 25;
    var plainCache = {};
    function frag(side, idx, d) { return d ? store[side + "/c" + d[1]].docs[d[0]] : null; }
    function chunkIds(r) {
      var out = [];
      if (r.a) out.push(A.data + "/c" + r.a[1]);
      if (r.b) out.push(B.data + "/c" + r.b[1]);
      return out;
    }
    function plainOf(r) {
      if (!(r.id in plainCache)) {
        var fa = frag(A.data, ia, r.a), fb = frag(B.data, ib, r.b);
        plainCache[r.id] = plain(r.id + " " + (fa ? fa.slice(0, 3).join(" ") : "") + " " + (fb ? fb[2] : ""));
      }
      return plainCache[r.id];
    }
    function rowHtml(r) {
      var fa = frag(A.data, ia, r.a), fb = frag(B.data, ib, r.b), f = fa || fb;
      var none = '<span class="small">not answered</span>';
      return '<tr data-doc="' + esc(r.id) + '" data-differs="' + (r.differs ? 1 : 0) + '" class="' +
        (r.differs ? "differs" : "") + (r.headline ? " headline-differs" : "") + '"><td class="doc">' + f[0] +
        "</td><td>" + f[1] + '</td><td class="side-cell">' + (fa ? fa[2] : none) + '</td><td class="side-cell">' +
        (fb ? fb[2] : none) + "</td></tr>";
    }
    function apply(resetPage) {
      if (resetPage) state.page = 0;
      var my = ++state.token;
      table.removeAttribute("data-ready");
      var found = rows.filter(function (r) { return !only.checked || r.differs; });
      var needle = text.value.trim().toLowerCase();
      var step = Promise.resolve(found);
      if (needle) {
        var all = unique([].concat.apply([], found.map(chunkIds)));
        step = loadMany(root, all).then(function () {
          return found.filter(function (r) { return plainOf(r).indexOf(needle) >= 0; });
        });
      }
      step.then(function (result) {
        if (my !== state.token) return;
        var pages = Math.max(1, Math.ceil(result.length / size));
        if (state.page >= pages) state.page = pages - 1;
        var slice = result.slice(state.page * size, (state.page + 1) * size);
        return loadMany(root, unique([].concat.apply([], slice.map(chunkIds)))).then(function () {
          if (my !== state.token) return;
          table.tBodies[0].innerHTML = slice.map(rowHtml).join("\n");
          count.textContent = result.length + " of " + rows.length + " shown" +
            (result.length > size ? " · page " + (state.page + 1) + " of " + pages : "");
          var go = function (p) { state.page = p; apply(false); };
          pager(q("#pager-top"), state.page, pages, go);
          pager(q("#pager-bottom"), state.page, pages, go);
          table.setAttribute("data-ready", "1");
        });
      }).catch(function (e) { count.textContent = String(e.message || e); });
    }
    only.addEventListener("change", function () { apply(true); });
    var timer = null;
    text.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { apply(true); }, 200); });
    apply(false);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.getElementById("sample-list");
    if (list) initBrowser(list);
    var pairTable = document.querySelector("table#samples[data-root]");
    if (pairTable && document.getElementById("pair-pick")) initPair(pairTable);
  });
})();
