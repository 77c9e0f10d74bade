// The side-by-side rows of the benchmark (issue 18): Reach Us against Sentry's feedback
// widget on the same host page, in the same browser run, and the host page's Lighthouse LCP
// with and without the widget. Tools come from tests/bench/vs/package.json (installed by
// scripts/bench; never needed by the tests).
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { mkdirSync, readFileSync } from "node:fs";
import http from "node:http";

const HERE = join(dirname(fileURLToPath(import.meta.url)), "vs");

/** Bundle Sentry's widget (minified IIFE) into `outDir`/sentry.js; returns its size. */
export async function buildSentry(outDir) {
  const { build } = await import(join(HERE, "node_modules/esbuild/lib/main.js"));
  mkdirSync(outDir, { recursive: true });
  const r = await build({ entryPoints: [join(HERE, "sentry-entry.js")], bundle: true, minify: true, format: "iife", target: "es2020", outfile: join(outDir, "sentry.js"), metafile: true, logLevel: "error" });
  return Object.values(r.metafile.outputs)[0].bytes;
}

/** How each widget is found and when its message box counts as usable. */
export const WIDGETS = {
  "Reach Us": {
    launcher: "reach-us-widget .ru-launcher",
    loaded: () => document.querySelector("reach-us-widget")?.hasAttribute("data-ready"),
    usable: () => {
      const root = document.querySelector("reach-us-widget")?.shadowRoot;
      const box = root?.getElementById("ru-message");
      return !!(box && box.checkVisibility() && root.activeElement === box);
    },
    box: "reach-us-widget #ru-message",
  },
  "Sentry feedback": {
    launcher: "#sentry-feedback .widget__actor",
    loaded: () => !!document.querySelector("#sentry-feedback")?.shadowRoot?.querySelector(".widget__actor"),
    usable: () => {
      const box = document.querySelector("#sentry-feedback")?.shadowRoot?.querySelector("textarea");
      return !!(box && box.checkVisibility());
    },
    box: "#sentry-feedback textarea",
  },
};

// In the page: from the pointer going down (the event's own timestamp) to the first
// animation frame in which the widget's message box is usable.
const PROBE = (usableSrc) => {
  const usable = new Function(`return (${usableSrc})()`);
  window.__open = new Promise((resolve) => {
    window.addEventListener("pointerdown", (e) => {
      const t0 = e.timeStamp;
      const poll = () => (usable() ? resolve(performance.now() - t0) : requestAnimationFrame(poll));
      poll();
    }, { capture: true, once: true });
  });
};

/**
 * Pointer over the launcher for `hoverMs` (as a person does), then a click; ms from
 * pointer-down to usable. `loaded`: wait until the widget says it has loaded first.
 */
export async function clickToUsable(browser, url, widget, { throttle = 1, hoverMs = 150, loaded = false } = {}) {
  const w = WIDGETS[widget];
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  const cdp = await ctx.newCDPSession(p);
  if (throttle > 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
  await p.goto(url, { waitUntil: "load" });
  const launcher = p.locator(w.launcher);
  await launcher.waitFor({ state: "visible" });
  const box = await launcher.boundingBox();
  await p.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  if (loaded) {
    await p.waitForFunction(w.loaded);
    await p.waitForTimeout(300);
  } else {
    await p.waitForTimeout(hoverMs);
  }
  await p.evaluate(PROBE, w.usable.toString());
  await p.mouse.down();
  await p.mouse.up();
  const t = await p.evaluate(() => window.__open);
  await ctx.close();
  return t;
}

/**
 * Main-thread cost of one keystroke in the open widget's message box: from `keydown` to a
 * task after the input's handlers and everything they queued (a yew render runs in a
 * microtask) — median of `n` keys.
 */
export async function keystroke(browser, url, widget, { throttle = 4, n = 15 } = {}) {
  const w = WIDGETS[widget];
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.goto(url, { waitUntil: "load" });
  const launcher = p.locator(w.launcher);
  await launcher.click();
  await p.waitForFunction(w.usable);
  await p.locator(w.box).click();
  await p.keyboard.type("The door will not open ");
  const cdp = await ctx.newCDPSession(p);
  if (throttle > 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
  const out = [];
  for (let i = 0; i < n; i++) {
    await p.evaluate(() => {
      window.__key = new Promise((resolve) => {
        let t0 = 0;
        window.addEventListener("keydown", (e) => { t0 = performance.now(); }, { capture: true, once: true });
        window.addEventListener("input", () => setTimeout(() => resolve(performance.now() - t0), 0), { once: true });
      });
    });
    await p.keyboard.press("a");
    out.push(await p.evaluate(() => window.__key));
    await p.waitForTimeout(50);
  }
  await ctx.close();
  out.sort((a, b) => a - b);
  return out[Math.floor(out.length / 2)];
}

/** Lighthouse 12 (mobile, simulated throttling) on `url`: LCP, TBT, CLS, scores. */
export async function lighthouse(url, chromePath) {
  const { default: lh } = await import(join(HERE, "node_modules/lighthouse/core/index.js"));
  const chromeLauncher = await import(join(HERE, "node_modules/chrome-launcher/dist/index.js"));
  const chrome = await chromeLauncher.launch({ chromePath, chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"] });
  try {
    const r = await lh(url, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance", "accessibility"] });
    const a = r.lhr.audits;
    return { lcp: a["largest-contentful-paint"].numericValue, tbt: a["total-blocking-time"].numericValue, cls: a["cumulative-layout-shift"].numericValue, perf: r.lhr.categories.performance.score, a11y: r.lhr.categories.accessibility.score };
  } finally {
    await chrome.kill();
  }
}

/**
 * The built demo page (dist/index.html) with the widget, and at /without.html the same page
 * without it (the tag and the inline `init` that feeds it removed), from one static server
 * without compression.
 */
export async function serveDemo(dist) {
  const { serveDir } = await import("../e2e/servers.mjs");
  const html = readFileSync(join(dist, "index.html"), "utf8");
  const without = html
    .replace(/<script>window\.ReachUs=[\s\S]*?<\/script>/, "")
    .replace(/<script async[^>]*src="reach-us\.js"[\s\S]*?<\/script>/, "");
  if (without === html || /reach-us\.js/.test(without)) throw new Error("serveDemo: the demo page's tag was not found");
  const files = await serveDir(dist);
  const server = http.createServer((req, res) => {
    if (req.url === "/without.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(without);
      return;
    }
    // Everything else from the dist folder.
    http.get(files.url + req.url, (up) => { res.writeHead(up.statusCode, up.headers); up.pipe(res); });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, close: async () => { await new Promise((r) => server.close(r)); await files.close(); } };
}
