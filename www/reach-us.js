/*! Reach Us loader (reach-us/v1) */
// Draws the launcher (a facade with the real launcher's markup and CSS) inside the
// widget's open shadow root, installs ReachUs(...), and fetches the widget's code only on
// intent. Everything it adds to the page, ReachUs('shutdown') removes. Verbs are checked
// by the widget itself (an unknown one is reported when the code has loaded), which reads
// the page's arguments only through calls that cannot throw into it; this file touches
// them only inside try/catch, so ReachUs(...) never throws, whatever it is given.
(function (w, d) {
  var P = "Reach Us: ";
  var OPENER = "[data-reach-us-open]";
  // Pointer events cover touch too: pointerover/pointerenter fire on a tap, before click.
  var DOC_EVENTS = ["click", "pointerover", "focusin"];
  var keys = Object.keys;
  try {
    var prev = w.ReachUs;
    // A second tag, or a second copy of the loader: one widget per page.
    if (prev && prev.loader) return;
    var script = d.currentScript;
    var base = new URL(".", (script && script.src) || d.baseURI).href;
    var queue = [];
    var q = (prev && prev.q) || [];
    for (var i = 0; i < q.length; i++) queue.push([].slice.call(q[i]));
    var attrs = {};
    var list = script ? script.attributes : [];
    for (i = 0; i < list.length; i++) {
      if (list[i].name.indexOf("data-") === 0) attrs[list[i].name.slice(5)] = list[i].value;
    }
    var LABELS = __RU_LABELS__;
    var init = {};
    var opt = function (k) {
      return init[k] != null ? String(init[k]) : attrs[k.replace(/_/g, "-")];
    };
    var label = function () {
      var t = init.texts && init.texts.launcher;
      if (typeof t === "string") return t;
      var c = [opt("locale"), d.documentElement.lang].concat(navigator.languages || []);
      var ks = keys(LABELS);
      for (var j = 0; j < c.length; j++) {
        var tag = String(c[j] || "").replace(/_/g, "-").toLowerCase();
        if (!tag) continue;
        var lang = tag.split("-")[0];
        if (lang === "zh") tag = /-(hant|tw|hk|mo)\b/.test(tag) ? "zh-tw" : "zh-cn";
        var hit = ks.find(function (k) { return k.toLowerCase() === tag; }) ||
          ks.find(function (k) { return k.split("-")[0].toLowerCase() === lang; });
        if (hit) return (t && t[hit]) || LABELS[hit];
      }
      return (t && t.en) || LABELS.en;
    };
    var host, root, widget, loading, mounted, dead, mo, bad;
    var load = function () {
      if (loading || dead) return loading;
      if (!d.body) { d.addEventListener("DOMContentLoaded", load); return; }
      mount();
      var glue = base + "__RU_GLUE__";
      loading = import(glue).then(function (m) {
        // The glue finds the wasm beside itself (build-loader writes the hashed name in).
        return m.default().then(function () {
          if (dead) return;
          // The widget marks the host data-ready once it has mounted. Calls made while it
          // boots (a 'ready' listener's) wait, then go through as made.
          widget = m.boot(root, attrs, queue.splice(0), glue);
          queue.forEach(function (c) { api.apply(0, c); });
        });
      }).catch(function (e) {
        loading = null;
        console.error(P, e);
      });
      return loading;
    };
    var shutdown = function () {
      dead = 1;
      if (widget) widget.call("shutdown");
      if (mo) mo.disconnect();
      DOC_EVENTS.forEach(function (t) { d.removeEventListener(t, onDoc, true); });
      d.removeEventListener("DOMContentLoaded", start);
      if (host) host.remove();
      if (w.ReachUs === api) delete w.ReachUs;
    };
    var api = function (verb, a, b) {
      try {
        if (verb === "shutdown") return shutdown();
        if (dead) return;
        if (widget) return widget.call(verb, a, b);
        queue.push([verb, a, b]);
        if (verb === "open" || verb === "toggle") load();
      } catch (e) {
        console.error(P, e);
      }
    };
    api.loader = 1;
    w.ReachUs = api;
    // The page's own launchers: any element with data-reach-us-open.
    var onDoc = function (e) {
      var el = e.target && e.target.closest && e.target.closest(OPENER);
      if (!el) return;
      if (e.type === "click") { e.preventDefault(); api("open"); } else load();
    };
    DOC_EVENTS.forEach(function (t) { d.addEventListener(t, onDoc, { capture: true, passive: t !== "click" }); });
    var mount = function () {
      if (mounted || dead || !d.body) return;
      mounted = 1;
      host = d.createElement("reach-us-widget");
      root = host.attachShadow({ mode: "open" });
      // Outside <body>: a transform, filter or zoom on the page's body cannot move a
      // position:fixed launcher, and frameworks that re-render body keep their hands off.
      var attach = function () { if (!dead && !host.isConnected) d.documentElement.appendChild(host); };
      attach();
      mo = new MutationObserver(attach);
      mo.observe(d.documentElement, { childList: true });
      // The page's values (queued inits) are read here only: one that throws (a getter, a
      // Proxy, a Symbol made a string) leaves the facade undrawn, and the code loads at
      // once to name the field.
      try {
        queue.forEach(function (c) {
          if (c[0] === "init") keys(c[1]).forEach(function (k) { init[k] = c[1][k]; });
        });
        var sheet = new CSSStyleSheet();
        // Placement from the config, numbers only (as the widget's own theme rule does).
        var place = ".ru-root{";
        // An offset the widget would refuse (off-screen): no facade, and the code loads at
        // once to say so (else nothing would ever show the error).
        [["x", "offset_x", "px"], ["y", "offset_y", "px"], ["z", "z_index", ""]].forEach(function (p) {
          var n = parseInt(opt(p[1]), 10);
          // (Below 0 or above 400 px: the product is negative.)
          if (p[2] && n * (400 - n) < 0) bad = 1;
          else if (n === n) place += "--ru-" + p[0] + ":" + n + p[2] + ";";
        });
        sheet.replaceSync(__RU_LAUNCHER_CSS__ + place + "}");
        root.adoptedStyleSheets = [sheet];
        if (opt("launcher") !== "none" && !bad) {
          var wrap = d.createElement("div");
          wrap.className = "ru-root";
          wrap.setAttribute("data-pos", opt("position") || "");
          wrap.setAttribute("data-ru-facade", "");
          var btn = d.createElement("button");
          btn.type = "button";
          btn.className = "ru-launcher";
          btn.setAttribute("aria-expanded", "false");
          var dot = d.createElement("span");
          dot.className = "ru-launcher-dot";
          dot.setAttribute("aria-hidden", "true");
          btn.appendChild(dot);
          btn.appendChild(d.createTextNode(label()));
          // Handler properties on our own button (removed with it).
          btn.onpointerenter = btn.onfocus = load;
          btn.onclick = function () { api("open"); };
          wrap.appendChild(btn);
          root.appendChild(wrap);
        }
        // Idle preload: when asked, or for a returning visitor with reports still open or
        // waiting (the widget keeps localStorage["reach-us"] set while there are).
        var c = navigator.connection, back;
        try { back = w.localStorage["reach-us"]; } catch (e) {}
        // (Data saver skips the brand's preload, never the visitor's own waiting reports.)
        if (bad || back || opt("preload") === "idle" && !(c && c.saveData)) (w.requestIdleCallback || setTimeout)(load);
      } catch (e) {
        load();
      }
    };
    var start = function () {
      // A queued shutdown: the page changed its mind before the loader ran.
      if (queue.some(function (c) { return c[0] === "shutdown"; })) return shutdown();
      mount();
      // Calls queued before the loader ran that need the widget: load it now.
      if (queue.some(function (c) { return c[0] === "open" || c[0] === "toggle"; })) load();
    };
    if (d.body) start(); else d.addEventListener("DOMContentLoaded", start);
  } catch (e) {
    console.error(P, e);
  }
})(window, document);
