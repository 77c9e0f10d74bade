// A good guest on any page: lazy loading, the JS API and its events, strict CSP, hostile
// pages, custom launchers, SPAs, mobile, and a shutdown that leaves nothing behind.
import { test, expect } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveDir, servePages, backend, hostPage } from "./servers.mjs";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let cdn;
test.beforeAll(async () => { cdn = await serveDir(DIST); });
test.afterAll(async () => { await cdn.close(); });

async function open(page, html, headers) {
  const site = await servePages({ "/": html }, { headers });
  const log = { errors: [], exceptions: [] };
  page.on("console", (m) => { if (m.type() === "error") log.errors.push(m.text()); });
  page.on("pageerror", (e) => log.exceptions.push(String(e)));
  await page.goto(site.url + "/");
  return { site, log };
}

async function sendReport(page, text = "Door will not open") {
  await page.getByLabel("What happened?").fill(text);
  await page.getByLabel("Email").fill("a@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
}

test("strict CSP without unsafe-inline: the widget works and causes no violation", async ({ page }) => {
  const api = await backend();
  const site = await servePages({});
  // The page's own origin is the site; the exact policy a brand adds is in the README.
  const csp = `default-src 'none'; script-src 'self' ${cdn.url} 'wasm-unsafe-eval'; style-src 'self'; connect-src ${cdn.url} ${api.url}`;
  await site.close();
  const html = hostPage({ cdn: cdn.url, attrs: { endpoint: api.url }, body: `<script>window.__inlineRan = 1</script>` });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI), true);
  });
  const { site: s2, log } = await open(page, html, { "content-security-policy": csp });
  await page.getByRole("button", { name: "Reach us now" }).click();
  await sendReport(page);
  expect(api.posts).toHaveLength(1);
  // The policy is really in force: the page's own inline script was blocked...
  expect(await page.evaluate(() => window.__inlineRan)).toBeUndefined();
  const violations = await page.evaluate(() => window.__violations);
  expect(violations).toEqual(["script-src-elem inline"]);
  // ...and that is the only thing it blocked.
  expect(log.errors.filter((e) => !e.includes("inline script"))).toEqual([]);
  await api.close(); await s2.close();
});

test("hostile page: transform, zoom, z-index, rtl, polluted prototypes, fetch wrapper, <base>", async ({ page }) => {
  const api = await backend();
  const head = `<base href="http://127.0.0.1:9/elsewhere/">
    <style>body { transform: translateX(40px) scale(.9); zoom: 1.5; margin: 0 }
      .bar { position: fixed; left: 0; right: 0; bottom: 0; height: 90px; background: #000; z-index: 999999 }</style>
    <script>Object.prototype.polluted = 1; Array.prototype.extra = function () {};
      window.__fetches = 0; const f = window.fetch; window.fetch = function () { window.__fetches++; return f.apply(this, arguments); };</script>`;
  const html = hostPage({ cdn: cdn.url, attrs: { endpoint: api.url }, head, body: `<div class="bar"></div><div style="height:3000px"></div>` }).replace('<html lang="en">', '<html lang="en" dir="rtl">');
  const { site, log } = await open(page, html);
  const launcher = page.getByRole("button", { name: "Reach us now" });
  await expect(launcher).toBeVisible();
  const geo = await page.evaluate(() => {
    const root = document.querySelector("reach-us-widget").shadowRoot;
    const r = root.querySelector(".ru-launcher").getBoundingClientRect();
    const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return { right: innerWidth - r.right, bottom: innerHeight - r.bottom, onTop: top && top.localName, parent: document.querySelector("reach-us-widget").parentNode.localName };
  });
  // Bottom-right corner of the viewport, 20px in, above the page's z-index 999999 bar.
  expect(Math.round(geo.bottom)).toBe(20);
  expect(geo.right).toBeGreaterThanOrEqual(20);
  expect(geo.right).toBeLessThan(40);
  expect(geo.onTop).toBe("reach-us-widget");
  expect(geo.parent).toBe("html");
  await launcher.click();
  await sendReport(page);
  expect(api.posts).toHaveLength(1);
  expect(await page.evaluate(() => window.__fetches)).toBeGreaterThan(0);
  expect(log.errors).toEqual([]);
  expect(log.exceptions).toEqual([]);
  await api.close(); await site.close();
});

test("every API verb and event, as functions and as DOM CustomEvents", async ({ page }) => {
  const api = await backend((req, n) => (n === 1 ? { status: 400 } : undefined));
  const html = hostPage({ cdn: cdn.url, attrs: { endpoint: api.url, brand: "Acme" }, head: `<script>
    window.ReachUs=window.ReachUs||function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};
    window.__events = [];
    for (const e of ["ready", "open", "close", "submit", "delivered", "failed"]) {
      ReachUs("on", e, (d) => __events.push(["fn", e, d]));
      document.addEventListener("reach-us:" + e, (ev) => __events.push(["dom", e, ev.detail]), true);
    }
    const noisy = () => __events.push(["removed"]);
    ReachUs("on", "open", noisy); ReachUs("off", "open", noisy);
    ReachUs("identify", { name: "Ada", email: "ada@example.com", user_id: "u-42", user_hash: "hmac-from-server" });
  </script>` });
  const { site, log } = await open(page, html);
  const events = () => page.evaluate(() => window.__events.map((e) => e.slice(0, 2).join(":")));
  // Nothing loads until asked; 'open' loads and opens.
  await page.evaluate(() => ReachUs("open"));
  await expect(page.getByRole("dialog")).toBeVisible();
  await expect.poll(events).toEqual(["fn:ready", "dom:ready", "fn:open", "dom:open"]);
  await expect(page.getByLabel("Email")).toHaveValue("ada@example.com");
  await page.evaluate(() => ReachUs("prefill", { message: "Prefilled", category: "order" }));
  await expect(page.getByLabel("What happened?")).toHaveValue("Prefilled");
  await expect(page.getByLabel("What is it about?")).toHaveValue("order");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  await page.evaluate(() => ReachUs("close"));
  await expect(page.getByRole("dialog")).toBeHidden();
  await page.evaluate(() => ReachUs("toggle"));
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.evaluate(() => ReachUs("toggle"));
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect.poll(events).toEqual([
    "fn:ready", "dom:ready", "fn:open", "dom:open",
    "fn:submit", "dom:submit", "fn:failed", "dom:failed",
    "fn:submit", "dom:submit", "fn:delivered", "dom:delivered",
    "fn:close", "dom:close", "fn:open", "dom:open", "fn:close", "dom:close",
  ]);
  const details = await page.evaluate(() => window.__events.filter((e) => e[0] === "fn").map((e) => [e[1], e[2]]));
  const submit = details.find((d) => d[0] === "submit")[1];
  expect(submit.schema).toBe("reach-us/v1");
  expect(details.find((d) => d[0] === "failed")[1]).toEqual({ id: submit.id, reason: "http_400" });
  expect(details.find((d) => d[0] === "delivered")[1]).toEqual({ id: submit.id, reference: submit.reference });
  expect(api.posts[1].body.user).toEqual({ name: "Ada", email: "ada@example.com", user_id: "u-42", user_hash: "hmac-from-server" });
  // Bad calls: a clear console error each, never an exception.
  log.errors.length = 0;
  await page.evaluate(() => { ReachUs("explode"); ReachUs("on", "nope", () => {}); ReachUs("on", "open", 42); ReachUs("prefill", "text"); ReachUs("identify", { name: "x".repeat(300) }); ReachUs("init", { endpont: "/x" }); });
  expect(log.errors).toHaveLength(6);
  expect(log.errors[0]).toContain("unknown verb");
  expect(log.errors[5]).toContain("endpont");
  expect(log.exceptions).toEqual([]);
  await api.close(); await site.close();
});

test("a click before the code has arrived opens the dialog when it is ready", async ({ page }) => {
  await page.route(/_bg\.wasm$/, async (route) => { await new Promise((r) => setTimeout(r, 800)); await route.continue(); });
  const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" } }));
  await page.getByRole("button", { name: "Reach us now" }).click();
  await expect(page.getByRole("dialog")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByLabel("What happened?")).toBeFocused();
  await site.close();
});

test("a returning visitor with an open report loads the widget when idle, without intent", async ({ page }) => {
  const api = await backend();
  const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: api.url, promise: "2h" } }));
  await page.getByRole("button", { name: "Reach us now" }).click();
  await page.getByLabel("What happened?").fill("Door");
  await page.getByLabel("Email").fill("a@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem("reach-us"))).toBe("1");
  const before = cdn.requests.length;
  await page.reload();
  // No pointer, no focus, no click: the code arrives on idle.
  await page.locator("reach-us-widget[data-ready]").waitFor({ state: "attached" });
  expect(cdn.requests.slice(before).some((p) => p.endsWith("_bg.wasm"))).toBe(true);
  await api.close(); await site.close();
});

test("data saver skips the brand's idle preload, never a returning visitor's waiting report", async ({ page }) => {
  // Chromium's Network Information API, as a data-saver phone reports it.
  await page.addInitScript(() => {
    Object.defineProperty(navigator, "connection", { configurable: true, get: () => ({ saveData: true, effectiveType: "4g" }) });
  });
  const wasm = () => cdn.requests.filter((p) => p.endsWith("_bg.wasm")).length;
  const pages = {
    "/idle": hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", preload: "idle" } }),
    "/back": hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" } }),
  };
  const site = await servePages(pages);
  let before = wasm();
  await page.goto(site.url + "/idle");
  await page.waitForTimeout(1500);
  expect(wasm() - before, "preload: idle under data saver fetches nothing").toBe(0);
  // A report waiting in this browser: the visitor's own, so it loads (and is retried).
  await page.evaluate(() => localStorage.setItem("reach-us", "1"));
  before = wasm();
  await page.goto(site.url + "/back");
  await page.locator("reach-us-widget[data-ready]").waitFor({ state: "attached" });
  expect(wasm() - before).toBe(1);
  await site.close();
});

test("a CDN that serves the wasm with the wrong MIME type still works (non-streaming fallback)", async ({ page }) => {
  const wrong = await serveDir(DIST, { types: { ".wasm": "application/octet-stream" } });
  const { site, log } = await open(page, hostPage({ cdn: wrong.url, attrs: { endpoint: "/r" } }));
  await page.getByRole("button", { name: "Reach us now" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  expect(log.exceptions).toEqual([]);
  await wrong.close(); await site.close();
});

test("custom launcher, no corner launcher, focus returns to the page's button", async ({ page }) => {
  const before = cdn.requests.length;
  const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", launcher: "none" }, body: `<button data-reach-us-open>Contact support</button>` }));
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => document.querySelector("reach-us-widget").shadowRoot.querySelectorAll("button").length)).toBe(0);
  expect(cdn.requests.slice(before).some((p) => p.endsWith(".wasm"))).toBe(false);
  const mine = page.getByRole("button", { name: "Contact support" });
  await mine.focus();
  await expect.poll(() => cdn.requests.slice(before).some((p) => p.endsWith(".wasm"))).toBe(true);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog")).toBeVisible();
  await expect(page.getByRole("button", { name: "Reach us now" })).toHaveCount(0);
  // With no corner launcher the dialog takes its place at the bottom edge.
  const gap = () => page.evaluate(() => Math.round(innerHeight - document.querySelector("reach-us-widget").shadowRoot.querySelector(".ru-dialog").getBoundingClientRect().bottom));
  await expect.poll(gap).toBe(20); // after the 140 ms entry animation
  await page.keyboard.press("Escape");
  await expect(mine).toBeFocused();
  await site.close();
});

test("bottom-left placement: the facade, the loaded launcher and the dialog sit on the left", async ({ page }) => {
  await page.setViewportSize({ width: 1200, height: 800 });
  const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", position: "bottom-left", "offset-x": "30" } }));
  const box = (sel) => page.evaluate((s) => {
    const r = document.querySelector("reach-us-widget").shadowRoot.querySelector(s).getBoundingClientRect();
    return { left: r.left, right: r.right };
  }, sel);
  // The loader's facade, before any wasm.
  expect(await page.evaluate(() => !!document.querySelector("reach-us-widget").shadowRoot.querySelector("[data-ru-facade]"))).toBe(true);
  expect((await box(".ru-launcher")).left).toBe(30);
  await page.getByRole("button", { name: "Reach us now" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  expect(await page.evaluate(() => !!document.querySelector("reach-us-widget").shadowRoot.querySelector("[data-ru-facade]"))).toBe(false);
  expect((await box(".ru-launcher")).left).toBe(30);
  await expect.poll(async () => (await box(".ru-dialog")).left).toBe(30);
  await site.close();
});

test("single-page apps: route changes, body swaps, two tags and two inits make one widget", async ({ page }) => {
  const second = `<script async src="${cdn.url}/reach-us.js" data-endpoint="/other" data-brand="Second"></script>`;
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", brand: "First" }, body: second }));
  await expect(page.getByRole("button", { name: "Reach us now" })).toHaveCount(1);
  await page.evaluate(() => {
    history.pushState({}, "", "/route-2");
    document.body.innerHTML = "<h1>Route 2</h1>";
    const b = document.createElement("body"); b.innerHTML = "<h1>Route 3</h1>"; document.body = b;
  });
  await expect(page.getByRole("button", { name: "Reach us now" })).toBeVisible();
  await page.evaluate(() => { ReachUs("init", { brand: "Renamed" }); ReachUs("init", { brand: "Renamed Again" }); ReachUs("open"); });
  await expect(page.getByRole("dialog", { name: "Tell Renamed Again what's wrong" })).toBeVisible();
  expect(await page.locator("reach-us-widget").count()).toBe(1);
  expect(log.exceptions).toEqual([]);
  await site.close();
});

test("shutdown removes everything it added, listeners included", async ({ page }) => {
  // Baseline: the same page whose loader never runs (404).
  const page0 = hostPage({ cdn: cdn.url + "/missing", attrs: { endpoint: "/r" }, body: `<button data-reach-us-open>Help</button>` });
  const html = hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" }, body: `<button data-reach-us-open>Help</button>` });
  const site = await servePages({ "/a": page0, "/b": html });
  const snapshot = async () => {
    const cdp = await page.context().newCDPSession(page);
    const count = async (expr) => {
      const { result } = await cdp.send("Runtime.evaluate", { expression: expr });
      const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId });
      return listeners.length;
    };
    const out = { html: await page.evaluate(() => document.documentElement.outerHTML), doc: await count("document"), win: await count("window"), api: await page.evaluate(() => typeof window.ReachUs) };
    await cdp.detach();
    return out;
  };
  await page.goto(site.url + "/a");
  await page.waitForLoadState("networkidle");
  const baseline = await snapshot();
  await page.goto(site.url + "/b");
  await page.getByRole("button", { name: "Reach us now" }).hover();
  await page.locator("reach-us-widget[data-ready]").waitFor({ state: "attached" });
  await page.evaluate(() => ReachUs("open"));
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.evaluate(() => ReachUs("shutdown"));
  const after = await snapshot();
  expect(after.html.replace(cdn.url, "CDN")).toBe(baseline.html.replace(cdn.url + "/missing", "CDN"));
  expect(after.doc).toBe(baseline.doc);
  expect(after.win).toBe(baseline.win);
  expect(after.api).toBe("undefined");
  // The page's own opener button does nothing now.
  await page.getByRole("button", { name: "Help" }).click();
  await expect(page.locator("reach-us-widget")).toHaveCount(0);
  await site.close();
});

test.describe("mobile", () => {
  test.use({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });

  test("a full-screen sheet with 16px inputs and a reachable Send; offsets lift the launcher", async ({ page }) => {
    const api = await backend();
    const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: api.url, "offset-y": "96" }, head: `<meta name="viewport" content="width=device-width, initial-scale=1">` }));
    await page.emulateMedia({ reducedMotion: "reduce" });
    const launcher = page.getByRole("button", { name: "Reach us now" });
    const box = await launcher.boundingBox();
    expect(Math.round(667 - (box.y + box.height))).toBe(96);
    expect(box.height).toBeGreaterThanOrEqual(44);
    await launcher.tap();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toBeVisible();
    expect(await dialog.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    const fonts = await page.evaluate(() => [...document.querySelector("reach-us-widget").shadowRoot.querySelectorAll("input, textarea, select")].map((e) => parseFloat(getComputedStyle(e).fontSize)));
    expect(Math.min(...fonts)).toBeGreaterThanOrEqual(16);
    await expect(launcher).toBeHidden();
    await page.getByLabel("What happened?").fill("Tyre pressure warning");
    await page.getByLabel("Phone").fill("+44 20 7946 0000");
    const send = page.getByRole("button", { name: "Send" });
    await send.scrollIntoViewIfNeeded();
    const s = await send.boundingBox();
    expect(s.y + s.height).toBeLessThanOrEqual(667);
    await send.tap();
    await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
    await api.close(); await site.close();
  });
});

// ---- Issue #23: a good guest even on a broken page (focused cases; the generated ones
// are in hostile.spec.mjs).

test("a malformed page language or data-locale falls back along the chain (no RangeError)", async ({ page }) => {
  const cases = [
    { lang: "en-", heading: "Tell Acme what's wrong" },
    { lang: "en_US.UTF-8", heading: "Tell Acme what's wrong" },
    { lang: "zh-@", heading: /Acme/, zh: true },
    { lang: "en", locale: "en-", heading: "Tell Acme what's wrong" },
    { lang: "en", locale: "zh-@", heading: /Acme/, zh: true },
    { lang: "en", locale: "en_US.UTF-8", heading: "Tell Acme what's wrong" },
  ];
  for (const c of cases) {
    const attrs = { endpoint: "/r", brand: "Acme", promise: "1h30m" };
    if (c.locale) attrs.locale = c.locale;
    const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs, lang: c.lang }));
    await page.locator("reach-us-widget button").first().click();
    await expect(page.getByRole("dialog", { name: c.heading })).toBeVisible();
    // The promise line is formatted by Intl with the (cleaned) tag.
    await expect(page.locator("reach-us-widget .ru-promise").first()).toBeVisible();
    if (c.zh) await expect(page.getByRole("button", { name: "发送" })).toBeVisible();
    expect(log.exceptions, JSON.stringify(c)).toEqual([]);
    expect(log.errors, JSON.stringify(c)).toEqual([]);
    await site.close();
    page.removeAllListeners("console"); page.removeAllListeners("pageerror");
  }
});

test("a 'same-origin path' that names another host is refused, and that host hears nothing", async ({ page }) => {
  const evil = await backend();
  const host = evil.url.replace("http://", "");
  for (const [attrs, init, field] of [
    [{ endpoint: `/\\${host}/reports` }, null, "endpoint"],
    [{ endpoint: "/r" }, { notice_url: `/\\${host}/notice` }, "notice_url"],
    [{ endpoint: "/r" }, { backends: [{ url: `/\\\\${host}/r` }] }, "backends[0].url"],
  ]) {
    const head = init ? `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs("init", ${JSON.stringify(init)});</script>` : "";
    const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs, head }));
    await page.evaluate(() => ReachUs("open"));
    await page.locator("reach-us-widget[data-ready]").waitFor({ state: "attached" });
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toContain(`\`${field}\``);
    expect(await page.evaluate(() => document.querySelector("reach-us-widget").shadowRoot.childElementCount)).toBe(0);
    expect(log.exceptions).toEqual([]);
    await site.close();
    page.removeAllListeners("console"); page.removeAllListeners("pageerror");
  }
  // status_url and track_record_url: the promise is not made; the widget runs, and sending
  // a report (which would fetch the status) reaches the backend only.
  const api = await backend();
  const head = `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs("init", ${JSON.stringify({ promise: { respond_within: "2h", status_url: `/\\${host}/s/{id}`, track_record_url: `/\\${host}/t` } })});</script>`;
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: api.url }, head }));
  await page.getByRole("button", { name: "Reach us now" }).click();
  await sendReport(page);
  expect(log.errors).toHaveLength(1);
  expect(log.errors[0]).toContain("promise.status_url");
  await page.evaluate(() => { ReachUs("close"); ReachUs("open"); });
  await page.waitForTimeout(300);
  expect(api.posts).toHaveLength(1);
  expect(evil.posts).toEqual([]);
  await api.close(); await site.close(); await evil.close();
});

test("fallback_email must be one plain address: scripts, data URLs, mailto: and extra headers are refused", async ({ page }) => {
  for (const bad of ["javascript:alert(1)//@x.com", "data:text/html,hi@x.com", "mailto:a@b.com", "help?cc=spy%40evil.example&body=x@x.com"]) {
    const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", "fallback-email": bad } }));
    await page.evaluate(() => ReachUs("open"));
    await page.locator("reach-us-widget[data-ready]").waitFor({ state: "attached" });
    expect(log.errors, bad).toHaveLength(1);
    expect(log.errors[0]).toContain("`fallback_email`");
    expect(await page.evaluate(() => document.querySelector("reach-us-widget").shadowRoot.childElementCount)).toBe(0);
    await site.close();
    page.removeAllListeners("console"); page.removeAllListeners("pageerror");
  }
});

test("out-of-range values are named, never silently accepted; big configs are refused fast", async ({ page }) => {
  // Off-screen offsets: no launcher drawn, the code loads without intent and says why.
  for (const v of ["-99999", "99999999999"]) {
    const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", "offset-x": v } }));
    await page.locator("reach-us-widget[data-ready]").waitFor({ state: "attached" });
    await expect.poll(() => log.errors.length).toBe(1);
    expect(log.errors[0]).toContain("`offset_x`");
    expect(await page.evaluate(() => document.querySelector("reach-us-widget").shadowRoot.childElementCount)).toBe(0);
    await site.close();
    page.removeAllListeners("console"); page.removeAllListeners("pageerror");
  }
  // A duration with a unit twice: the promise is not made (one error), the widget runs.
  {
    const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", promise: "2h2h" } }));
    await page.getByRole("button", { name: "Reach us now" }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toContain("`promise`");
    await site.close();
    page.removeAllListeners("console"); page.removeAllListeners("pageerror");
  }
  // A function, BigInt or Symbol where text belongs: an error naming the field.
  for (const [expr, field] of [["{ brand: function () {} }", "brand"], ["{ brand: 10n }", "brand"], ["{ brand: Symbol('x') }", "brand"], ["{ texts: { launcher: Symbol('x') } }", "texts.launcher"], ["{ texts: { send: 5n } }", "texts.send"]]) {
    const head = `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs("init", ${expr});</script>`;
    const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" }, head }));
    await page.evaluate(() => ReachUs("open"));
    await page.locator("reach-us-widget[data-ready]").waitFor({ state: "attached" });
    expect(log.errors, expr).toHaveLength(1);
    expect(log.errors[0]).toContain(`\`${field}\``);
    expect(log.exceptions).toEqual([]);
    await site.close();
    page.removeAllListeners("console"); page.removeAllListeners("pageerror");
  }
  // 1,000 and 10,000 categories with bad hours: refused at once, the main thread free.
  for (const n of [1000, 10000]) {
    const head = `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};
      ReachUs("init", { categories: Array.from({ length: ${n} }, (_, i) => ({ id: "c" + i, label: "C" + i, respond_within: "1h", business_hours: { time_zone: "UTC", mon: "25:00-26:00" } })) });</script>`;
    const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" }, head }));
    const ms = await page.evaluate(async () => {
      const long = [];
      new PerformanceObserver((l) => long.push(...l.getEntries().map((e) => e.duration))).observe({ type: "longtask" });
      const t0 = performance.now();
      ReachUs("open");
      while (!document.querySelector("reach-us-widget[data-ready]")) await new Promise((r) => setTimeout(r, 5));
      return { total: performance.now() - t0, longest: Math.max(0, ...long) };
    });
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]).toContain("`categories` has more than 50");
    expect(ms.longest, JSON.stringify(ms)).toBeLessThan(1000); // was 1.4 s for 1,000 (10,000: not ready after 90 s)
    await site.close();
    page.removeAllListeners("console"); page.removeAllListeners("pageerror");
  }
});

test("the calls that crashed the tab: ReachUs never throws, the widget keeps working", async ({ page }) => {
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", brand: "Acme" } }));
  await page.evaluate(() => ReachUs("open"));
  await expect(page.getByRole("dialog")).toBeVisible();
  const thrown = await page.evaluate(() => {
    const out = [];
    const t = (...a) => { try { const r = ReachUs(...a); if (r !== undefined) out.push("returned " + r); } catch (e) { out.push(String(e)); } };
    for (let round = 0; round < 3; round++) {
      t(Symbol()); t("prefill", Symbol()); t("identify", Symbol()); t("init", Symbol());
      t(Object.create(null)); t("prefill", Object.create(null)); t("identify", Object.create(null)); t("init", Object.create(null));
      t({ toString() { throw new Error("x"); } });
      const p = new Proxy({}, { get() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } });
      t(p); t("prefill", p); t("identify", p); t("init", p); t("on", "open", new Proxy(() => {}, { getPrototypeOf() { throw new Error("trap"); } }));
      const g = {}; Object.defineProperty(g, "message", { get() { throw new Error("getter"); }, enumerable: true });
      t("prefill", g); t("identify", g); t("init", g);
      t("prefill", { message: { toString() { throw new Error("x"); } } });
      t("init", { brand: 1n }); t("on", Symbol(), Symbol()); t("off", null, null); t(10n); t();
    }
    return out;
  });
  expect(thrown).toEqual([]);
  expect(log.exceptions).toEqual([]);
  // The renderer is alive, the widget still answers.
  await page.evaluate(() => { ReachUs("close"); ReachUs("prefill", { message: "still here" }); ReachUs("open"); });
  await expect(page.getByLabel("What happened?")).toHaveValue("still here");
  expect(await page.evaluate(() => 1 + 1)).toBe(2);
  await site.close();
});

test("queued calls with throwing getters or Proxies cost only themselves; a queued shutdown draws nothing", async ({ page }) => {
  const head = `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};
    const g = {}; Object.defineProperty(g, "message", { get() { throw new Error("getter"); }, enumerable: true });
    ReachUs("prefill", g);
    ReachUs("identify", new Proxy({}, { ownKeys() { throw new Error("trap"); } }));
    ReachUs(Symbol("verb"));
    ReachUs("init", { brand: "Acme" });</script>`;
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" }, head }));
  await page.evaluate(() => ReachUs("open"));
  await expect(page.getByRole("dialog", { name: "Tell Acme what's wrong" })).toBeVisible();
  expect(log.errors).toHaveLength(3);
  expect(log.exceptions).toEqual([]);
  await site.close();
  page.removeAllListeners("console"); page.removeAllListeners("pageerror");
  // A queued offset_x that is a Symbol: no uncaught TypeError, one error naming it.
  const head2 = `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)}; ReachUs("init", { offset_x: Symbol() });</script>`;
  const r2 = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" }, head: head2 }));
  await page.locator("reach-us-widget[data-ready]").waitFor({ state: "attached" });
  expect(r2.log.exceptions).toEqual([]);
  expect(r2.log.errors).toHaveLength(1);
  expect(r2.log.errors[0]).toContain("`offset_x`");
  await r2.site.close();
  page.removeAllListeners("console"); page.removeAllListeners("pageerror");
  const head3 = `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)}; ReachUs("init", { brand: "Acme" }); ReachUs("shutdown");</script>`;
  const r3 = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" }, head: head3 }));
  await page.waitForTimeout(300);
  expect(await page.locator("reach-us-widget").count()).toBe(0);
  expect(await page.evaluate(() => typeof window.ReachUs)).toBe("undefined");
  expect(r3.log.exceptions).toEqual([]);
  await r3.site.close();
});

test("two loader tags raise no window error event", async ({ page }) => {
  const second = `<script async src="${cdn.url}/reach-us.js" data-endpoint="/other"></script>`;
  await page.addInitScript(() => { window.__winErrors = []; window.addEventListener("error", (e) => window.__winErrors.push(String(e.message || e.type)), true); });
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" }, body: second }));
  await page.evaluate(() => ReachUs("open"));
  await expect(page.getByRole("dialog")).toBeVisible();
  expect(await page.evaluate(() => window.__winErrors)).toEqual([]);
  expect(log.exceptions).toEqual([]);
  expect(log.errors).toEqual([]);
  await site.close();
});

test("focus stays in the dialog after 'Report something else'; Escape still closes", async ({ page }) => {
  const api = await backend();
  const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: api.url } }));
  const launcher = page.getByRole("button", { name: "Reach us now" });
  await launcher.click();
  await sendReport(page);
  await page.getByRole("button", { name: "Report something else" }).click();
  await expect(page.getByLabel("What happened?")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect(launcher).toBeFocused();
  // Also after a refused Send first (the invalid-field focus path).
  await launcher.click();
  await page.getByRole("button", { name: "Send" }).click();
  await page.getByLabel("What happened?").fill("Second");
  await page.getByLabel("Email").fill("a@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await page.getByRole("button", { name: "Report something else" }).click();
  await expect(page.getByLabel("What happened?")).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toBeHidden();
  await api.close(); await site.close();
});

test("page metadata: query string and fragment stripped by default, kept with page_url full, capped at 2,048", async ({ page }) => {
  const api = await backend();
  const title = "T".repeat(3000);
  const html = hostPage({ cdn: cdn.url, attrs: { endpoint: api.url } }).replace("<title>Host page</title>", `<title>${title}</title>`);
  const full = hostPage({ cdn: cdn.url, attrs: { endpoint: api.url, "page-url": "full" } });
  const site = await servePages({ "/reset": html, "/full": full });
  await page.goto(site.url + "/reset?token=s3cret&x=1#frag");
  await page.getByRole("button", { name: "Reach us now" }).click();
  await sendReport(page);
  expect(api.posts[0].body.page.url).toBe(site.url + "/reset");
  expect(api.posts[0].body.page.title).toHaveLength(2048);
  await page.goto(site.url + "/full?token=s3cret#frag");
  await page.getByRole("button", { name: "Reach us now" }).click();
  await sendReport(page);
  expect(api.posts[1].body.page.url).toBe(site.url + "/full?token=s3cret#frag");
  await api.close(); await site.close();
});
