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
    var value = function (name, fallback) { return style.getPropertyValue(name).trim() || fallback; };
    return {
      text: value("--md-default-fg-color", "#333"),
      grid: value("--md-default-fg-color--lightest", "#ddd"),
      page: value("--md-default-bg-color", "#fff"),
      control: value("--md-code-bg-color", "#f5f5f5"),
      active: value("--md-default-fg-color--lighter", "#ccc"),
      selected: value("--md-default-fg-color--lightest", "#eee")
    };
  }

  /* The page's palette for text, grid and controls: plotly's range and scale buttons are
     otherwise light grey in the dark palette, with light text on them. */
  function themed(layout) {
    var c = colours(), out = Object.assign({}, layout);
    out.font = Object.assign({}, layout.font, { color: c.text });
    ["xaxis", "yaxis"].forEach(function (axis) {
      out[axis] = Object.assign({}, layout[axis], { gridcolor: c.grid, zerolinecolor: c.grid });
    });
    var buttons = { bgcolor: c.control, activecolor: c.selected, bordercolor: c.active, borderwidth: 1,
                    font: { color: c.text } };
    if (out.xaxis && out.xaxis.rangeselector) {
      out.xaxis.rangeselector = Object.assign({}, out.xaxis.rangeselector, buttons);
    }
    return out;
  }

  /* The axis of a duration chart on one scale: its type and its round ticks, labelled as
     durations (the page's data carries both sets). */
  function scaled(scale, type) {
    var update = {}, ticks = scale.ticks[type];
    update[scale.axis + ".type"] = type;
    update[scale.axis + ".tickvals"] = ticks[0];
    update[scale.axis + ".ticktext"] = ticks[1];
    return update;
  }

  /* Linear and log buttons above a chart with a duration axis: HTML, in the page's own
     style, so they read in both palettes and never sit on the plot's controls. */
  function scaleButtons(el, scale, Plotly) {
    var group = document.createElement("div");
    group.className = "pm-chart-scale";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Scale of the axis");
    [["Linear", "linear"], ["Log", "log"]].forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = pair[0];
      button.setAttribute("data-scale", pair[1]);
      button.setAttribute("aria-pressed", String((pair[1] === "log") === scale.log));
      button.addEventListener("click", function () {
        Plotly.relayout(el, scaled(scale, pair[1]));
        group.querySelectorAll("button").forEach(function (b) {
          b.setAttribute("aria-pressed", String(b === button));
        });
      });
      group.appendChild(button);
    });
    el.parentNode.insertBefore(group, el);
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
        /* No mode bar: on a phone it covers the range and scale buttons. */
        Plotly.newPlot(el, spec.figure.data, themed(spec.figure.layout || {}),
                       { responsive: true, displaylogo: false, displayModeBar: false });
        if (spec.scale) scaleButtons(el, spec.scale, Plotly);
        el.setAttribute("data-drawn", String((spec.figure.data || []).length));
        drawn.push([el, spec]);
      });
      new MutationObserver(function () {
        drawn.forEach(function (pair) {
          var layout = themed(pair[1].figure.layout || {});
          ["xaxis", "yaxis"].forEach(function (axis) {  /* keep the scale a reader chose */
            var now = pair[0].layout && pair[0].layout[axis];
            if (now && layout[axis]) {
              ["type", "tickvals", "ticktext", "range"].forEach(function (key) {
                if (now[key] !== undefined) layout[axis][key] = now[key];
              });
            }
          });
          Plotly.relayout(pair[0], layout);
        });
      }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    }).catch(function (error) {
      document.querySelectorAll(".pm-chart").forEach(function (el) { el.textContent = error.message; });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
