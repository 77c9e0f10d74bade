// Issue #23, "a good guest even on a broken page": hundreds of generated hostile configs
// and calls, many per page load. Each case embeds the widget afresh (the loader tag is
// inserted, the code loads, the case is judged, `shutdown` removes it all) and asserts the
// contract: no page exception, no throw from ReachUs, exactly one console.error naming the
// field for an invalid config and nothing shown then, no request to an origin the config
// did not name, the host page untouched. The generator is seeded: a failure names its seed
// and case, and reruns the same.
import { test, expect } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveDir, servePages, backend } from "./servers.mjs";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "../../dist");
const SEED = Number(process.env.HOSTILE_SEED || 23);
const CASES = Number(process.env.HOSTILE_CASES || 360);

let cdn, api, evil, site;
test.beforeAll(async () => {
  cdn = await serveDir(DIST);
  api = await backend();
  evil = await backend();
  site = await servePages({ "/": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body><h1>A brand page</h1><p id="content">Some content.</p></body></html>` });
});
test.afterAll(async () => { await cdn.close(); await api.close(); await evil.close(); await site.close(); });

// Runs inside the page: the catalogue, the generator and the judge. (Symbols, Proxies,
// getters and BigInts cannot cross page.evaluate, so the cases are built in the page.)
async function runCases({ seed, from, to, CDN, API, EVIL }) {
  let s = seed >>> 0;
  const rand = () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const EVIL_HOST = EVIL.replace("http://", "");
  const thrower = () => { throw new Error("hostile"); };
  // Hostile values of every kind; `fresh` because some are single-use (revoked Proxies).
  const HOSTILE = {
    symbol: () => Symbol("x"),
    bigint: () => 10n,
    function: () => function () { return "/r"; },
    nullProto: () => Object.create(null),
    throwingToString: () => ({ toString: thrower, valueOf: thrower }),
    throwingGetter: () => { const o = {}; Object.defineProperty(o, "x", { get: thrower, enumerable: true }); return o; },
    proxy: () => new Proxy({}, { get: thrower, ownKeys: thrower, getOwnPropertyDescriptor: thrower, getPrototypeOf: thrower, has: thrower }),
    revoked: () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; },
    array: () => [1, 2],
    number: () => 42,
    nan: () => NaN,
    bool: () => true,
    deep: () => { let o = { v: "x" }; for (let i = 0; i < 200; i++) o = { o }; return o; },
    cycle: () => { const o = {}; o.self = o; return o; },
    fnProxy: () => new Proxy(function () {}, { get: thrower, getPrototypeOf: thrower, apply: thrower }),
  };
  const kinds = Object.keys(HOSTILE);
  const STRING_FIELDS = ["brand", "locale", "position", "preload", "launcher", "color", "theme", "font", "fallback_email", "notice_url", "deliver", "page_url"];
  const NUMBER_FIELDS = ["offset_x", "offset_y", "z_index", "max_message_chars", "timeout_ms", "retention_days", "radius"];
  const URL_TRAPS = [`/\\${EVIL_HOST}/r`, `\\\\${EVIL_HOST}/r`, `/\t/${EVIL_HOST}/r`, `//${EVIL_HOST}/r`, `https:/\\${EVIL_HOST}/r`, `http:\\\\${EVIL_HOST}/r`,
    `/\n/${EVIL_HOST}/r`, `${API}\\@${EVIL_HOST}/r`, `http://x@${EVIL_HOST}/r`, `javascript:fetch('${EVIL}')`, ` /\\${EVIL_HOST}/r`, `/%5C${EVIL_HOST}`.replace("%5C", "\\")];
  const EMAIL_TRAPS = ["javascript:alert(1)//@x.com", "data:text/html,hi@x.com", "mailto:a@b.com", "help?cc=spy%40evil.example&body=x@x.com", "help@brand.example?cc=spy@evil.example", "a@b", "@brand.example"];
  const BAD_LANGS = ["en-", "en_US.UTF-8", "zh-@", "@@", "x", "de-1996-1996", "", "en-US-u-", "a".repeat(300), "zh-Hant-TW-x-", "i-klingon", "-", "en--US"];
  const categories = (n, hours) => Array.from({ length: n }, (_, i) => ({ id: "c" + i, label: "C" + i, respond_within: "1h", business_hours: hours }));
  const BAD_HOURS = { time_zone: "UTC", mon: "25:00-26:00" };
  // Valid extras a case may carry besides its mutation.
  const EXTRAS = [["brand", "Acme"], ["position", "bottom-left"], ["theme", "dark"], ["color", "#123456"], ["promise", "2h"], ["offset_y", 30], ["locale", "de"], ["locale", "zh-CN"], ["radius", 4], ["font", "inherit"], ["require_contact", false], ["fallback_email", "help@brand.example"]];

  // One mutation: how to build it, and what must follow: `bad` (the field the one
  // console.error names; nothing shown), or shown (with `dropped`: one error naming it,
  // the widget still shown, as a promise it cannot back is dropped).
  const mutations = [];
  const add = (name, m) => mutations.push({ name, ...m });
  for (const f of STRING_FIELDS) for (const k of kinds) {
    if (k === "deep" && f === "brand") continue;
    add(`init.${f}=${k}`, { init: () => ({ [f]: HOSTILE[k]() }), bad: f });
  }
  for (const f of NUMBER_FIELDS) {
    for (const k of ["symbol", "bigint", "function", "throwingGetter", "proxy", "nan"]) add(`init.${f}=${k}`, { init: () => ({ [f]: HOSTILE[k]() }), bad: f });
    for (const v of [-99999, 99999999999, 1.5, Infinity, "24"]) {
      if (f === "z_index" && v === -99999) add(`init.${f}=${String(v)}`, { init: () => ({ [f]: v }) });
      // Pixels read alike from the tag and from init: "24" (or "24px") is 24.
      else if (v === "24" && ["offset_x", "offset_y", "radius"].includes(f)) add(`init.${f}=${String(v)}`, { init: () => ({ [f]: v }) });
      else add(`init.${f}=${String(v)}`, { init: () => ({ [f]: v }), bad: f });
    }
  }
  for (const [attr, field] of [["offset-x", "offset_x"], ["offset-y", "offset_y"]]) {
    for (const v of ["-99999", "99999999999", "401", "1e3", "lots", "-1"]) add(`data-${attr}=${v}`, { attrs: { [attr]: v }, bad: field });
    for (const v of ["0", "400", "24px", " 24 "]) add(`data-${attr}=${v}`, { attrs: { [attr]: v } });
  }
  for (const v of ["2h2h", "30m1h", "-2h", "0m", "31d", "soon"]) add(`data-promise=${v}`, { attrs: { promise: v }, dropped: "promise" });
  for (const v of ["2h", "1h30m", "1d"]) add(`data-promise=${v}`, { attrs: { promise: v } });
  for (const u of URL_TRAPS) {
    add(`data-endpoint=${JSON.stringify(u)}`, { attrs: { endpoint: u }, bad: "endpoint", noEndpoint: true });
    add(`init.endpoint=${JSON.stringify(u)}`, { init: () => ({ endpoint: u }), bad: "endpoint", noEndpoint: true });
    add(`init.notice_url=${JSON.stringify(u)}`, { init: () => ({ notice_url: u }), bad: "notice_url" });
    add(`init.backends[0].url=${JSON.stringify(u)}`, { init: () => ({ backends: [{ url: u }] }), bad: "backends[0].url", noEndpoint: true });
    for (const f of ["status_url", "track_record_url"]) add(`init.promise.${f}=${JSON.stringify(u)}`, { init: () => ({ promise: { respond_within: "1h", [f]: u } }), dropped: `promise.${f}` });
  }
  for (const e of EMAIL_TRAPS) {
    add(`data-fallback-email=${JSON.stringify(e)}`, { attrs: { "fallback-email": e }, bad: "fallback_email" });
    add(`init.fallback_email=${JSON.stringify(e)}`, { init: () => ({ fallback_email: e }), bad: "fallback_email" });
  }
  for (const l of BAD_LANGS) {
    add(`<html lang=${JSON.stringify(l)}>`, { lang: l, attrs: { promise: "2h" } });
    add(`data-locale=${JSON.stringify(l)}`, { attrs: { locale: l, promise: "2h" } });
  }
  for (const k of ["symbol", "bigint", "function", "throwingGetter", "proxy", "nullProto", "cycle"]) {
    add(`init.texts.launcher=${k}`, { init: () => ({ texts: { launcher: HOSTILE[k]() } }), bad: "texts.launcher" });
    add(`init.categories[0].label=${k}`, { init: () => ({ categories: [{ id: "a", label: HOSTILE[k]() }] }), bad: "categories[0]" });
    add(`init.categories=${k}`, { init: () => ({ categories: HOSTILE[k]() }), bad: "categories" });
  }
  add("51 categories", { init: () => ({ categories: categories(51, "24/7") }), bad: "categories" });
  add("1,000 categories with bad hours", { init: () => ({ categories: categories(1000, BAD_HOURS) }), bad: "categories", fast: true });
  add("10,000 categories with bad hours", { init: () => ({ categories: categories(10000, BAD_HOURS) }), bad: "categories", fast: true });
  add("50 categories", { init: () => ({ categories: categories(50, "24/7") }) });
  add("a sparse array of 2^31 categories", { init: () => ({ categories: new Array(2 ** 31 - 1) }), bad: "categories", fast: true });
  for (const k of ["symbol", "bigint", "function", "proxy", "revoked", "array", "number"]) add(`init(${k})`, { whole: () => HOSTILE[k](), bad: "init" });
  add("init(an object whose toString throws)", { whole: HOSTILE.throwingToString, bad: "toString" });
  add("init(null-prototype config)", { whole: () => Object.assign(Object.create(null), { brand: "Acme" }) });
  add("init with an unknown field", { init: () => ({ endpont: "/x" }), bad: "endpont" });
  add("queued shutdown", { init: () => ({ brand: "Acme" }), queue: [["shutdown"]], gone: true });
  for (const k of ["symbol", "throwingGetter", "proxy", "nullProto", "revoked"]) {
    // An empty (null-prototype) object is a valid prefill or identify: it fills nothing.
    add(`queued prefill(${k})`, { queue: [["prefill", k]], errors: k === "nullProto" ? 0 : 1 });
    add(`queued identify(${k})`, { queue: [["identify", k]], errors: k === "nullProto" ? 0 : 1 });
    add(`queued verb ${k}`, { queue: [[k]], errors: 1 });
  }

  const judge = [];
  const snapshot = () => {
    const html = document.documentElement.cloneNode(true);
    html.querySelectorAll("reach-us-widget, script[data-hostile]").forEach((e) => e.remove());
    return [html.outerHTML, Object.keys(window).filter((k) => !k.startsWith("__")).sort().join(","), Object.getOwnPropertyNames(Object.prototype).length, document.title].join("|");
  };
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  for (let n = 0; n < to; n++) {
    // Every case draws the same numbers whether or not earlier ones ran.
    const m = pick(mutations);
    const extras = [];
    for (let i = Math.floor(rand() * 3); i > 0; i--) extras.push(pick(EXTRAS));
    const viaAttr = rand() < 0.5;
    if (n < from) continue;
    const before = snapshot();
    const savedLang = document.documentElement.getAttribute("lang");
    window.__errors.length = 0;
    window.__exceptions.length = 0;
    const throws = [];
    const call = (...a) => { try { const r = window.ReachUs && window.ReachUs(...a); if (r !== undefined) throws.push("returned " + String(r)); } catch (e) { throws.push(String(e)); } };
    const attrs = {};
    const init = m.init ? m.init() : {};
    const custom = m.whole ? m.whole() : null;
    for (const [k, v] of extras) {
      if (k === (m.bad || m.dropped || "").split(/[.[]/)[0] || (m.attrs && k.replace("_", "-") in m.attrs) || (custom !== null)) continue;
      if (viaAttr) attrs[k.replace("_", "-")] = String(v); else init[k] = v;
    }
    Object.assign(attrs, m.attrs || {});
    if (!m.noEndpoint && !("endpoint" in attrs) && !("backends" in init)) attrs.endpoint = API + "/r";
    if (m.lang !== undefined) document.documentElement.setAttribute("lang", m.lang);
    // The page's stub, its queued calls, then the loader tag.
    window.ReachUs = function () { (window.ReachUs.q = window.ReachUs.q || []).push(arguments); };
    if (custom !== null) call("init", custom); else if (Object.keys(init).length) call("init", init);
    for (const q of m.queue || []) call(...q.map((x) => (HOSTILE[x] ? HOSTILE[x]() : x)));
    const script = document.createElement("script");
    script.src = CDN + "/reach-us.js";
    script.setAttribute("data-hostile", "");
    for (const [k, v] of Object.entries(attrs)) script.setAttribute("data-" + k, v);
    const loaded = new Promise((r) => { script.onload = r; script.onerror = r; });
    document.body.appendChild(script);
    await loaded;
    const t0 = performance.now();
    call("open");
    let host = null;
    const until = performance.now() + 4000;
    while (performance.now() < until) {
      host = document.querySelector("reach-us-widget");
      if (m.gone || (host && host.hasAttribute("data-ready"))) break;
      await wait(5);
    }
    const readyMs = performance.now() - t0;
    // Let late errors (a locale table, a notice fetch) arrive.
    await wait(m.attrs && m.attrs.locale !== undefined ? 60 : 15);
    const root = host && host.shadowRoot;
    const shown = !!(host && host.isConnected && root && root.querySelector(".ru-launcher, .ru-dialog, .ru-root"));
    const dialog = !!(root && root.querySelector(".ru-dialog"));
    const errors = window.__errors.slice();
    // Then hostile calls to the running (or refusing) widget: none may throw or break it.
    for (let i = 0; i < 3; i++) {
      const verb = pick(["open", "close", "toggle", "prefill", "identify", "init", "on", "off", "nope", null, "symbol", "proxy", "nullProto", "throwingToString", "revoked"]);
      const arg = () => { const k = pick([...kinds, "plain", "undefined"]); return k === "plain" ? { message: "x" } : k === "undefined" ? undefined : HOSTILE[k](); };
      call(HOSTILE[verb] ? HOSTILE[verb]() : verb, arg(), arg());
    }
    await wait(5);
    call("shutdown");
    script.remove();
    delete window.ReachUs;
    if (savedLang === null) document.documentElement.removeAttribute("lang"); else document.documentElement.setAttribute("lang", savedLang);
    const after = snapshot();
    const problems = [];
    if (window.__exceptions.length) problems.push("page exception: " + window.__exceptions.join("; "));
    if (throws.length) problems.push("ReachUs threw/returned: " + throws.join("; "));
    if (after !== before) problems.push("host page changed");
    if (document.querySelector("reach-us-widget")) problems.push("widget left behind after shutdown");
    if (m.bad) {
      if (errors.length !== 1) problems.push(`expected one console.error naming ${m.bad}, got ${errors.length}: ${errors.join(" / ")}`);
      else if (!errors[0].includes(m.bad)) problems.push(`console.error does not name ${m.bad}: ${errors[0]}`);
      if (shown) problems.push("something was shown for an invalid config");
      if (!host || !host.hasAttribute("data-ready")) problems.push("the code never reported (no data-ready)");
      if (m.fast && readyMs > 1500) problems.push(`took ${Math.round(readyMs)} ms to refuse`);
    } else if (m.gone) {
      if (host) problems.push("a queued shutdown left the widget drawn");
      if (errors.length) problems.push("errors: " + errors.join(" / "));
    } else {
      const want = m.dropped ? 1 : m.errors || 0;
      if (errors.length !== want) problems.push(`expected ${want} console.error, got ${errors.length}: ${errors.join(" / ")}`);
      if (m.dropped && errors.length === 1 && !errors[0].includes(m.dropped)) problems.push(`console.error does not name ${m.dropped}: ${errors[0]}`);
      if (!shown || !dialog) problems.push("a valid config did not show the dialog");
    }
    judge.push({ n, name: m.name, extras: extras.map((e) => e[0]).join(","), viaAttr, problems });
  }
  return judge;
}

test(`${CASES} generated hostile configs (seed ${SEED}): no exception, no throw, one named error, nothing shown, no foreign request, host untouched`, async ({ page }) => {
  test.setTimeout(240_000);
  const requests = [];
  const pageErrors = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("crash", () => pageErrors.push("renderer crashed"));
  await page.addInitScript(() => {
    window.__errors = [];
    window.__exceptions = [];
    const error = console.error.bind(console);
    console.error = (...a) => {
      window.__errors.push(a.map((x) => { try { return typeof x === "string" ? x : x instanceof Error ? x.message : String(x); } catch { return "?"; } }).join(" "));
      error(...a);
    };
    window.addEventListener("error", (e) => { if (!e.target || e.target === window) window.__exceptions.push(String(e.message)); });
    window.addEventListener("unhandledrejection", (e) => window.__exceptions.push("unhandled rejection: " + String(e.reason)));
  });
  await page.goto(site.url + "/");
  const results = [];
  const BATCH = 60;
  for (let from = 0; from < CASES; from += BATCH) {
    results.push(...await page.evaluate(runCases, { seed: SEED, from, to: Math.min(CASES, from + BATCH), CDN: cdn.url, API: api.url, EVIL: evil.url }));
  }
  const failed = results.filter((r) => r.problems.length);
  const report = failed.slice(0, 25).map((r) => `#${r.n} ${r.name} [${r.viaAttr ? "attrs" : "init"}${r.extras ? " + " + r.extras : ""}]: ${r.problems.join("; ")}`).join("\n");
  expect(results).toHaveLength(CASES);
  expect(failed.length, `${failed.length} of ${CASES} cases failed (seed ${SEED}):\n${report}`).toBe(0);
  expect(pageErrors).toEqual([]);
  // No request to an origin the configs did not name; the evil host never heard from us.
  const allowed = new Set([site.url, cdn.url, api.url].map((u) => new URL(u).origin));
  expect(requests.filter((u) => !allowed.has(new URL(u).origin))).toEqual([]);
  expect(evil.posts).toEqual([]);
  // The distinct kinds of case that ran.
  const kinds = new Set(results.map((r) => r.name));
  expect(kinds.size).toBeGreaterThan(150);
});
