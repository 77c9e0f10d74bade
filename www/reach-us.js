/*! Reach Us loader (reach-us/v1). Draws the launcher, keeps ReachUs(...) calls, and
    fetches the widget's code only when the visitor shows intent. */
(function (w, d) {
  "use strict";
  var P = "Reach Us: ";
  try {
    var prev = w.ReachUs;
    // A second tag, or a second copy of the loader: one widget per page.
    if (prev && prev.loader) return;
    var script = d.currentScript;
    var base = new URL(".", (script && script.src) || d.baseURI).href;
    var queue = [];
    if (prev && prev.q) for (var i = 0; i < prev.q.length; i++) queue.push([].slice.call(prev.q[i]));
    var attrs = {};
    if (script) for (i = 0; i < script.attributes.length; i++) {
      var a = script.attributes[i];
      if (a.name.indexOf("data-") === 0) attrs[a.name.slice(5)] = a.value;
    }
    var LABELS = __RU_LABELS__;
    var init = {};
    queue.forEach(function (c) { if (c[0] === "init" && c[1]) for (var k in c[1]) init[k] = c[1][k]; });
    var opt = function (k, attr) { return init[k] != null ? init[k] : attrs[attr || k]; };
    var label = function () {
      var t = init.texts && init.texts.launcher;
      if (typeof t === "string") return t;
      var c = [opt("locale"), d.documentElement.lang].concat(navigator.languages || []);
      for (var j = 0; j < c.length; j++) {
        var tag = String(c[j] || "").replace(/_/g, "-").toLowerCase();
        if (!tag) continue;
        var lang = tag.split("-")[0], hit = null, k;
        if (lang === "zh") tag = /-(hant|tw|hk|mo)\b/.test(tag) && LABELS["zh-TW"] ? "zh-tw" : "zh-cn";
        for (k in LABELS) if (k.toLowerCase() === tag) hit = k;
        if (!hit) for (k in LABELS) if (!hit && k.split("-")[0].toLowerCase() === lang) hit = k;
        if (hit) return (t && t[hit]) || LABELS[hit];
      }
      return (t && t.en) || LABELS.en;
    };
    var root, widget, loading, mounted;
    var load = function () {
      if (loading) return loading;
      loading = import(base + "__RU_GLUE__").then(function (m) {
        return m.default({ module_or_path: base + "__RU_WASM__" }).then(function () {
          widget = m.boot(root, attrs, queue);
          queue = [];
          if (root.host) root.host.setAttribute("data-ready", "");
        });
      }).catch(function (e) {
        loading = null;
        console.error(P + "could not load the widget from " + base, e);
      });
      return loading;
    };
    var api = function (verb) {
      var args = [].slice.call(arguments);
      if (widget) {
        try { widget.call(args[0], args[1], args[2]); } catch (e) { console.error(P + verb + " failed", e); }
        return;
      }
      queue.push(args);
      if (verb === "open" || verb === "toggle") { mount(); load(); }
    };
    api.loader = 1;
    w.ReachUs = api;
    var mount = function () {
      if (mounted || !d.body) return;
      mounted = 1;
      var host = d.createElement("reach-us-widget");
      root = host.attachShadow({ mode: "open" });
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(__RU_LAUNCHER_CSS__);
      root.adoptedStyleSheets = [sheet];
      var wrap = d.createElement("div");
      wrap.className = "ru-root" + (opt("position") === "bottom-left" ? " ru-left" : "");
      wrap.setAttribute("data-ru-facade", "");
      var btn = d.createElement("button");
      btn.type = "button";
      btn.className = "ru-launcher";
      btn.setAttribute("aria-haspopup", "dialog");
      btn.setAttribute("aria-expanded", "false");
      var dot = d.createElement("span");
      dot.className = "ru-launcher-dot";
      dot.setAttribute("aria-hidden", "true");
      btn.appendChild(dot);
      btn.appendChild(d.createTextNode(label()));
      ["pointerenter", "focus", "touchstart"].forEach(function (t) { btn.addEventListener(t, load, { passive: true }); });
      btn.addEventListener("click", function () { api("open"); });
      wrap.appendChild(btn);
      root.appendChild(wrap);
      d.body.appendChild(host);
      var c = navigator.connection;
      if (opt("preload") === "idle" && !(c && c.saveData)) (w.requestIdleCallback || setTimeout)(load);
    };
    var start = function () {
      mount();
      // Calls queued before the loader ran that need the widget: load it now.
      if (queue.some(function (c) { return c[0] === "open" || c[0] === "toggle"; })) load();
    };
    if (d.body) start(); else d.addEventListener("DOMContentLoaded", start);
  } catch (e) {
    console.error(P + "the loader failed", e);
  }
})(window, document);
