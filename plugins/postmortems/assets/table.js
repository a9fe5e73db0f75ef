/* The catalog table on the post-mortems index: sort by any column, filter by text,
   severity, status, service and year, paged. Drawn from postmortems.data.js (the
   same data as postmortems.json, as a script, so that it loads from file:// too), so
   the page stays light at any size. Data is only ever set as text, never as HTML. */
(function () {
  "use strict";
  var PAGE = 25;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* The same badges as the pages made by the plugin (render/html.py). */
  function badge(kind, text, settings) {
    if (!text) return null;
    var css = kind === "sev"
      ? "pm-sev pm-sev-" + Math.min(rankOf(settings.severities, text), 4)
      : "pm-status pm-status-" + text.toLowerCase().replace(/ /g, "-");
    return el("span", { "class": "pm-badge " + css }, text);
  }

  function rankOf(list, v) { var i = list.indexOf(v); return i < 0 ? list.length : i; }

  function columns(settings) {
    var rank = function (list) { return function (v) { var i = list.indexOf(v); return i < 0 ? 99 : i; }; };
    return [
      { key: "id", label: "Id", value: function (r) { return r.id || ""; } },
      { key: "title", label: "Title", value: function (r) { return r.title || ""; }, wrap: true },
      { key: "severity", label: "Severity", value: function (r) { return r.severity || ""; },
        badge: "sev", sort: function (r) { return rank(settings.severities)(r.severity); } },
      { key: "status", label: "Status", value: function (r) { return r.status || ""; },
        badge: "status", sort: function (r) { return rank(settings.statuses)(r.status); } },
      { key: "started", label: "Started", value: function (r) { return (r.started || "").slice(0, 10); },
        sort: function (r) { return r.started ? Date.parse(r.started) : -Infinity; } },
      { key: "downtime", label: "Downtime", value: function (r) { return r.figures_shown.downtime; },
        sort: function (r) { return r.figures.downtime === null ? -1 : r.figures.downtime; } },
      { key: "ttr", label: "TTR", value: function (r) { return r.figures_shown.ttr; },
        sort: function (r) { return r.figures.ttr === null ? -1 : r.figures.ttr; } },
      { key: "services", label: "Services", value: function (r) { return (r.services || []).join(", "); }, wrap: true }
    ].concat((settings.fields || []).map(function (f) {  /* the team's own fields */
      return { key: f.name, label: f.title, value: function (r) { return shown(r[f.name]); }, wrap: true,
               sort: f.type === "number" ? function (r) { return typeof r[f.name] === "number" ? r[f.name] : -Infinity; } : null };
    }));
  }

  function shown(value) {
    if (value === null || value === undefined) return "";
    return Array.isArray(value) ? value.join(", ") : String(value);
  }

  function unique(lists) {
    return Array.from(new Set([].concat.apply([], lists).filter(function (v) { return v !== null && v !== undefined && v !== ""; }).map(String))).sort();
  }

  /* The selects: the built-in ones, then one per choice or list field of the team's. The
     URL keeps each by its key (a team's field by its own name). */
  function filters(settings, rows) {
    var has = function (list, v) { return (list || []).indexOf(v) >= 0; };
    var list = [
      { key: "severity", all: "All severities", options: settings.severities, match: function (r, v) { return r.severity === v; } },
      { key: "status", all: "All statuses", options: settings.statuses, match: function (r, v) { return r.status === v; } },
      { key: "service", all: "All services", options: unique(rows.map(function (r) { return r.services || []; })),
        match: function (r, v) { return has(r.services, v); } },
      { key: "year", all: "All years", options: unique(rows.map(function (r) { return [(r.month || "").slice(0, 4)]; })).reverse(),
        match: function (r, v) { return (r.month || "").slice(0, 4) === v; } }
    ];
    var factors = unique([settings.factors || []].concat(rows.map(function (r) { return r.contributing_factors || []; })));
    if (factors.length) {
      list.push({ key: "factor", all: "All factors", options: factors,
                  match: function (r, v) { return has(r.contributing_factors, v); } });
    }
    (settings.fields || []).forEach(function (f) {
      if (f.type !== "choice" && f.type !== "list") return;
      list.push({ key: f.name, all: "All: " + f.title,
        options: f.type === "choice" ? f.values : unique(rows.map(function (r) { return r[f.name] || []; })),
        match: function (r, v) { var x = r[f.name]; return Array.isArray(x) ? has(x, v) : String(x) === v; } });
    });
    return list;
  }

  function setup(root, data) {
    var settings = data.settings, rows = data.postmortems, base = root.getAttribute("data-base") || "";
    var cols = columns(settings), params = new URLSearchParams(window.location.search);
    var FILTERS = filters(settings, rows);
    var state = { q: params.get("q") || "", sort: params.get("sort") || "started",
                  dir: params.get("dir") || "desc", page: 0, chosen: {} };
    FILTERS.forEach(function (f) { state.chosen[f.key] = params.get(f.key) || ""; });
    var controls = el("div", { "class": "pm-table-controls" });
    var search = el("input", { type: "search", placeholder: "Filter by text", "aria-label": "Filter by text" });
    search.value = state.q;
    search.addEventListener("input", function () { state.q = search.value; state.page = 0; draw(); });
    controls.appendChild(search);
    FILTERS.forEach(function (f) {
      var select = el("select", { "aria-label": "Filter: " + f.all.replace(/^All:? /, ""), "data-filter": f.key });
      select.appendChild(el("option", { value: "" }, f.all));
      f.options.forEach(function (v) { select.appendChild(el("option", { value: v }, v)); });
      select.value = state.chosen[f.key];
      select.addEventListener("change", function () { state.chosen[f.key] = select.value; state.page = 0; draw(); });
      controls.appendChild(select);
    });
    var count = el("span", { "class": "pm-count" });
    controls.appendChild(count);

    /* No class on the table: Material styles only tables without one; its wrappers give
       the scrolling (a phone scrolls the table, not the page). */
    var table = el("table"), thead = el("thead"), headRow = el("tr");
    var scroll = el("div", { "class": "md-typeset__scrollwrap" }), inner = el("div", { "class": "md-typeset__table" });
    inner.appendChild(table); scroll.appendChild(inner);
    cols.forEach(function (c) {
      var th = el("th", { "data-key": c.key, "class": "pm-col-" + c.key + (c.wrap ? " pm-wrap" : ""), scope: "col", tabindex: "0" }, c.label);
      var sortBy = function () {
        state.dir = state.sort === c.key && state.dir === "asc" ? "desc" : "asc";
        state.sort = c.key; state.page = 0; draw();
      };
      th.addEventListener("click", sortBy);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(); });
      headRow.appendChild(th);
    });
    thead.appendChild(headRow);
    var tbody = el("tbody");
    table.appendChild(thead); table.appendChild(tbody);
    var pager = el("div", { "class": "pm-pager" });
    var prev = el("button", { type: "button" }, "← Previous"), next = el("button", { type: "button" }, "Next →");
    var where = el("span");
    prev.addEventListener("click", function () { state.page -= 1; draw(); });
    next.addEventListener("click", function () { state.page += 1; draw(); });
    pager.appendChild(prev); pager.appendChild(where); pager.appendChild(next);
    root.textContent = "";
    root.appendChild(controls); root.appendChild(scroll); root.appendChild(pager);

    function matches(r) {
      for (var i = 0; i < FILTERS.length; i++) {
        var v = state.chosen[FILTERS[i].key];
        if (v && !FILTERS[i].match(r, v)) return false;
      }
      if (state.q) {
        var own = (settings.fields || []).map(function (f) { return shown(r[f.name]); });
        var hay = [r.id, r.title, (r.services || []).join(" "), (r.tags || []).join(" "), r.owner]
          .concat(own).join(" ").toLowerCase();
        if (hay.indexOf(state.q.toLowerCase()) < 0) return false;
      }
      return true;
    }

    function remember() {
      var p = new URLSearchParams();
      if (state.q) p.set("q", state.q);
      FILTERS.forEach(function (f) { if (state.chosen[f.key]) p.set(f.key, state.chosen[f.key]); });
      if (state.sort !== "started" || state.dir !== "desc") { p.set("sort", state.sort); p.set("dir", state.dir); }
      var query = p.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }

    function draw() {
      var col = cols.filter(function (c) { return c.key === state.sort; })[0] || cols[4];
      var key = col.sort || col.value, sign = state.dir === "asc" ? 1 : -1;
      var shown = rows.filter(matches).sort(function (a, b) {
        var x = key(a), y = key(b);
        if (typeof x === "string") return sign * x.localeCompare(y, undefined, { numeric: true });
        return sign * (x - y);
      });
      var pages = Math.max(1, Math.ceil(shown.length / PAGE));
      state.page = Math.min(Math.max(state.page, 0), pages - 1);
      tbody.textContent = "";
      shown.slice(state.page * PAGE, (state.page + 1) * PAGE).forEach(function (r) {
        var tr = el("tr");
        cols.forEach(function (c) {
          var td = el("td", { "class": "pm-col-" + c.key + (c.wrap ? " pm-wrap" : "") });
          var shownBadge = c.badge ? badge(c.badge, c.value(r), settings) : null;
          if (c.key === "id") {
            td.appendChild(el("a", { href: base + r.url, title: r.title || "" }, r.id || r.path));
          } else if (shownBadge) {
            td.appendChild(shownBadge);
          } else {
            td.textContent = c.value(r);
          }
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
      headRow.querySelectorAll("th").forEach(function (th) {
        if (th.getAttribute("data-key") === state.sort) th.setAttribute("aria-sort", state.dir === "asc" ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
      count.textContent = shown.length + " of " + rows.length + " post-mortems";
      where.textContent = "Page " + (state.page + 1) + " of " + pages;
      prev.disabled = state.page === 0; next.disabled = state.page >= pages - 1;
      remember();
    }
    draw();
  }

  /* Tables rendered with the page (services, recurring chains): sorted in place by any
     column, on each cell's data-sort where it has one (durations in minutes), else its text. */
  function sortable(wrap) {
    var table = wrap.querySelector("table");
    if (!table || !table.tHead || !table.tBodies.length) return;
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, index) {
      th.setAttribute("tabindex", "0");
      var go = function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var cell = row.cells[index];
          if (!cell) return "";
          var given = cell.getAttribute("data-sort");
          return given !== null ? given : cell.textContent.trim();
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b), nx = Number(x), ny = Number(y);
          var order = x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)
            ? nx - ny : x.localeCompare(y, undefined, { numeric: true });
          return asc ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      };
      th.addEventListener("click", go);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") go(); });
    });
  }

  function init() {
    document.querySelectorAll(".pm-sortable").forEach(sortable);
    document.querySelectorAll(".pm-table[data-src]").forEach(function (root) {
      if (window.postmortemsData) return setup(root, window.postmortemsData);
      fetch(root.getAttribute("data-src"))
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) { setup(root, data); })
        .catch(function (e) { root.textContent = "The post-mortem table could not be loaded (" + e.message + ")."; });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
