// The benchmark: what the widget costs a host page, measured in headless Chromium over
// CDP against pages served on 127.0.0.1. Prints a table; asserts nothing (see
// scripts/size-check.mjs for the enforced budget). Usage: scripts/bench [runs]
import { chromium } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import os from "node:os";
import { serveDir, servePages, backend } from "../e2e/servers.mjs";
import { buildSentry, clickToUsable, keystroke, lighthouse, serveDemo } from "./vs.mjs";

const RUNS = Number(process.argv[2] || 10);
// BENCH_DIST: another build to measure (e.g. an earlier commit's dist/, for before → after).
const DIST = process.env.BENCH_DIST || join(dirname(fileURLToPath(import.meta.url)), "../../dist");
// BENCH_ONLY=vs: only the side-by-side rows and Lighthouse.
const ONLY_VS = process.env.BENCH_ONLY === "vs";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

const cdn = await serveDir(DIST, { headers: { "cache-control": "public, max-age=3600" } });
const api = await backend();
const content = Array.from({ length: 40 }, (_, i) => `<p>Paragraph ${i}: Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>`).join("");
const page = (withWidget, lang = "en") => `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Bench host</title>
<style>body{font:16px/1.5 Georgia,serif;max-width:720px;margin:2rem auto}</style></head><body><h1>A brand page</h1>${content}
${withWidget ? `<script async src="${cdn.url}/reach-us.js" data-endpoint="${api.url}/r" data-brand="Bench" data-promise="2h"></script>` : ""}</body></html>`;
// Sentry's feedback widget on the same page, bundled as its docs show (tests/bench/vs.mjs).
const vsDir = join(dirname(fileURLToPath(import.meta.url)), "../../target/bench-vs");
const sentryBytes = await buildSentry(vsDir);
const sentryCdn = await serveDir(vsDir);
const sentryDsn = `http://public@${api.url.replace("http://", "")}/1`;
const sentryPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Bench host</title>
<style>body{font:16px/1.5 Georgia,serif;max-width:720px;margin:2rem auto}</style></head><body><h1>A brand page</h1>${content}
<script>window.__SENTRY_DSN__ = ${JSON.stringify(sentryDsn)};</script><script src="${sentryCdn.url}/sentry.js"></script></body></html>`;
// "/with-de": a German page, whose visitor also fetches the German table before the widget mounts.
const site = await servePages({ "/with": page(true), "/without": page(false), "/with-de": page(true, "de"), "/sentry": sentryPage });


const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ARGS });

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { med, min: s[0], max: s[s.length - 1] };
};
const ms = (x) => `${x.toFixed(1)} ms`;
const kib = (x) => `${(x / 1024).toFixed(1)} KiB`;

// Observers installed before any page script: long tasks and layout shifts.
const OBSERVE = () => {
  window.__long = []; window.__cls = 0;
  new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration))).observe({ type: "longtask", buffered: true });
  new PerformanceObserver((l) => l.getEntries().forEach((e) => { if (!e.hadRecentInput) window.__cls += e.value; })).observe({ type: "layout-shift", buffered: true });
};

/** Load a page in a fresh context; return network and main-thread figures. */
async function load(path, throttle = 1) {
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  await p.addInitScript(OBSERVE);
  const cdp = await ctx.newCDPSession(p);
  await cdp.send("Performance.enable");
  if (throttle > 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
  const reqs = [];
  await cdp.send("Network.enable");
  cdp.on("Network.loadingFinished", (e) => reqs.push(e.encodedDataLength));
  await p.goto(site.url + path, { waitUntil: "load" });
  await p.waitForTimeout(500);
  const m = Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((x) => [x.name, x.value]));
  const page = await p.evaluate(() => ({ long: window.__long, cls: window.__cls }));
  await ctx.close();
  return { requests: reqs.length, bytes: reqs.reduce((a, b) => a + b, 0), script: m.ScriptDuration * 1000, task: m.TaskDuration * 1000, layout: m.LayoutDuration * 1000, long: page.long, cls: page.cls };
}

/** Click the launcher in-page and time until the message box has focus. */
const CLICK_TO_FOCUS = () => new Promise((resolve) => {
  const root = document.querySelector("reach-us-widget").shadowRoot;
  const t0 = performance.now();
  root.querySelector(".ru-launcher").click();
  const poll = () => {
    const a = root.activeElement;
    if (a && a.id === "ru-message" && root.querySelector("[role=dialog]")) resolve(performance.now() - t0);
    else requestAnimationFrame(poll);
  };
  poll();
});

async function openTimes(throttle, warm, path = "/with") {
  const out = [];
  const ctx = warm ? await browser.newContext() : null;
  if (ctx) { const p = await ctx.newPage(); await p.goto(site.url + path); await p.evaluate(CLICK_TO_FOCUS); await p.close(); }
  for (let i = 0; i < RUNS; i++) {
    const c = ctx || (await browser.newContext());
    const p = await c.newPage();
    const cdp = await c.newCDPSession(p);
    if (throttle > 1) await cdp.send("Emulation.setCPUThrottlingRate", { rate: throttle });
    await p.goto(site.url + path, { waitUntil: "load" });
    await p.locator("reach-us-widget").waitFor({ state: "attached" });
    out.push(await p.evaluate(CLICK_TO_FOCUS));
    await p.close();
    if (!ctx) await c.close();
  }
  if (ctx) await ctx.close();
  return stats(out);
}

async function sendTimes() {
  const ctx = await browser.newContext();
  const out = [];
  let heap = 0, wasm = 0;
  for (let i = 0; i < RUNS; i++) {
    const p = await ctx.newPage();
    await p.addInitScript(() => {
      const orig = WebAssembly.instantiateStreaming;
      WebAssembly.instantiateStreaming = async (...a) => { const r = await orig(...a); window.__wasmMemory = r.instance.exports.memory; return r; };
    });
    await p.goto(site.url + "/with");
    await p.evaluate(() => ReachUs("open"));
    await p.getByLabel("What happened?").fill("Benchmark report " + i);
    await p.getByLabel("Email").fill("bench@example.com");
    out.push(await p.evaluate(() => new Promise((resolve) => {
      const root = document.querySelector("reach-us-widget").shadowRoot;
      const t0 = performance.now();
      root.querySelector(".ru-send").click();
      const poll = () => (root.querySelector(".ru-receipt") ? resolve(performance.now() - t0) : requestAnimationFrame(poll));
      poll();
    })));
    if (i === 0) {
      const cdp = await ctx.newCDPSession(p);
      await cdp.send("HeapProfiler.collectGarbage");
      heap = (await cdp.send("Runtime.getHeapUsage")).usedSize;
      wasm = await p.evaluate(() => (window.__wasmMemory ? window.__wasmMemory.buffer.byteLength : 0));
    }
    await p.close();
  }
  await ctx.close();
  return { ...stats(out), heap, wasm };
}

const median = async (path, throttle) => {
  const runs = [];
  for (let i = 0; i < Math.max(3, Math.floor(RUNS / 2)); i++) runs.push(await load(path, throttle));
  const pick = (k) => stats(runs.map((r) => r[k])).med;
  return { requests: pick("requests"), bytes: pick("bytes"), script: pick("script"), task: pick("task"), longMax: Math.max(0, ...runs.flatMap((r) => r.long)), cls: Math.max(...runs.map((r) => r.cls)) };
};

if (!ONLY_VS) {
const base = await median("/without", 1);
const withW = await median("/with", 1);
const rows = [];
rows.push(["page load: requests", `${base.requests}`, `${withW.requests}`, `+${withW.requests - base.requests}`]);
rows.push(["page load: bytes transferred", kib(base.bytes), kib(withW.bytes), `+${kib(withW.bytes - base.bytes)}`]);
rows.push(["page load: script time (main thread)", ms(base.script), ms(withW.script), `+${ms(withW.script - base.script)}`]);
rows.push(["page load: all tasks (main thread)", ms(base.task), ms(withW.task), `+${ms(withW.task - base.task)}`]);
rows.push(["page load: longest long task (>=50 ms)", base.longMax ? ms(base.longMax) : "none", withW.longMax ? ms(withW.longMax) : "none", ""]);
rows.push(["page load: layout shift (CLS)", base.cls.toFixed(3), withW.cls.toFixed(3), ""]);
console.log(`Reach Us benchmark — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length}× ${os.cpus()[0].model.trim()}, Chromium ${browser.version()}, ${RUNS} runs`);
console.log("");
console.log("| measure | without widget | with widget | widget's cost |");
console.log("|---|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
console.log("");
console.log(`| click → dialog open, focus in message (${RUNS} runs) | median | min | max |`);
console.log("|---|---|---|---|");
for (const [label, throttle, warm, path] of [["cold, no throttling", 1, false], ["warm (HTTP cache), no throttling", 1, true], ["cold, 4× CPU throttling", 4, false], ["warm, 4× CPU throttling", 4, true], ["cold, German page (+ its table), no throttling", 1, false, "/with-de"], ["cold, German page, 4× CPU throttling", 4, false, "/with-de"]]) {
  const s = await openTimes(throttle, warm, path);
  console.log(`| ${label} | ${ms(s.med)} | ${ms(s.min)} | ${ms(s.max)} |`);
}
const send = await sendTimes();
console.log(`| Send → receipt, local backend | ${ms(send.med)} | ${ms(send.min)} | ${ms(send.max)} |`);
console.log("");
console.log(`JS heap used after open and send: ${kib(send.heap)}; wasm linear memory: ${kib(send.wasm)}`);

}

// Side by side with Sentry's feedback widget (issue 18): same page, same browser, same run.
const vsRuns = Math.max(5, RUNS);
const vs = async (path, widget, opts) => {
  const xs = [];
  for (let i = 0; i < vsRuns; i++) xs.push(await clickToUsable(browser, site.url + path, widget, opts));
  return stats(xs);
};
console.log("");
console.log(`Side by side with Sentry's feedback widget (@sentry/browser 11.12.0 + feedbackIntegration, ${kib(sentryBytes)} minified, loaded eagerly), median of ${vsRuns}`);
console.log("");
console.log("| measure | Reach Us | Sentry feedback | ratio |");
console.log("|---|---|---|---|");
for (const [label, opts] of [
  ["loaded: pointer-down → message box usable, no throttling", { loaded: true }],
  ["loaded: pointer-down → message box usable, 4× CPU", { loaded: true, throttle: 4 }],
  ["cold, 150 ms hover: pointer-down → message box usable, no throttling", {}],
  ["cold, 150 ms hover: pointer-down → message box usable, 4× CPU", { throttle: 4 }],
]) {
  const a = await vs("/with", "Reach Us", opts);
  const b = await vs("/sentry", "Sentry feedback", opts);
  console.log(`| ${label} | ${ms(a.med)} | ${ms(b.med)} | ${(a.med / b.med).toFixed(2)}× |`);
}
const keyA = await keystroke(browser, site.url + "/with", "Reach Us");
const keyB = await keystroke(browser, site.url + "/sentry", "Sentry feedback");
console.log(`| one keystroke in the message box, main thread, 4× CPU | ${ms(keyA)} | ${ms(keyB)} | ${(keyA / keyB).toFixed(2)}× |`);

// The host page's own first paint: Lighthouse on the demo page with and without the tag.
const demo = await serveDemo(DIST);
const lhRuns = 3;
const lh = { with: [], without: [] };
for (let i = 0; i < lhRuns; i++) {
  lh.without.push(await lighthouse(demo.url + "/without.html", process.env.CHROMIUM || "/usr/bin/chromium"));
  lh.with.push(await lighthouse(demo.url + "/", process.env.CHROMIUM || "/usr/bin/chromium"));
}
await demo.close();
const lhRow = (k, f) => {
  const a = stats(lh.without.map((r) => r[k])).med, b = stats(lh.with.map((r) => r[k])).med;
  return `| ${k} | ${f(a)} | ${f(b)} | ${k === "lcp" || k === "tbt" ? `+${(b - a).toFixed(0)} ms` : ""} |`;
};
console.log("");
console.log(`Lighthouse 12.2.3 on the demo page (mobile, simulated throttling; median of ${lhRuns})`);
console.log("");
console.log("| measure | without widget | with widget | widget's cost |");
console.log("|---|---|---|---|");
console.log(lhRow("lcp", (x) => `${x.toFixed(0)} ms`));
console.log(lhRow("tbt", (x) => `${x.toFixed(0)} ms`));
console.log(lhRow("cls", (x) => x.toFixed(3)));
console.log(lhRow("perf", (x) => x.toFixed(2)));
console.log(lhRow("a11y", (x) => x.toFixed(2)));
await browser.close();
await cdn.close(); await sentryCdn.close(); await api.close(); await site.close();
