/* Draws the charts of a page from its JSON data with plotly.js, which is loaded once
   from the site's own assets (and cached by the browser), never from a CDN.
   Follows Material's light/dark palette switch. */
(function () {
  "use strict";
  var loading = null;

  function loadPlotly(src) {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = function () { reject(new Error("plotly.js could not be loaded")); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function colours() {
    var style = getComputedStyle(document.body);
    return {
      text: style.getPropertyValue("--md-default-fg-color").trim() || "#333",
      grid: style.getPropertyValue("--md-default-fg-color--lightest").trim() || "#ddd"
    };
  }

  function themed(layout) {
    var c = colours(), out = Object.assign({}, layout);
    out.font = Object.assign({}, layout.font, { color: c.text });
    ["xaxis", "yaxis"].forEach(function (axis) {
      out[axis] = Object.assign({}, layout[axis], { gridcolor: c.grid, zerolinecolor: c.grid });
    });
    return out;
  }

  function draw() {
    var holders = document.querySelectorAll("script.pm-chart-data");
    if (!holders.length) return;
    var specs = [];
    holders.forEach(function (h) { specs = specs.concat(JSON.parse(h.textContent)); });
    loadPlotly(holders[0].getAttribute("data-plotly")).then(function (Plotly) {
      var drawn = [];
      specs.forEach(function (spec) {
        var el = document.querySelector('.pm-chart[data-chart="' + spec.key + '"]');
        if (!el) return;
        Plotly.newPlot(el, spec.figure.data, themed(spec.figure.layout || {}),
                       { responsive: true, displaylogo: false });
        el.setAttribute("data-drawn", String((spec.figure.data || []).length));
        drawn.push([el, spec]);
      });
      new MutationObserver(function () {
        drawn.forEach(function (pair) { Plotly.relayout(pair[0], themed(pair[1].figure.layout || {})); });
      }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    }).catch(function (error) {
      document.querySelectorAll(".pm-chart").forEach(function (el) { el.textContent = error.message; });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
