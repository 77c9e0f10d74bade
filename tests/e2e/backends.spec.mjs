// "Any configured backend" (#4), from outside: several backends with `deliver: all` and
// `first`, the form / template / preset / callback formats as their receivers see them,
// the keepalive hand-off on pagehide, and the storage lease of browsers without Web Locks.
import { test, expect } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveDir, servePages, backend, hostPage, readOutbox } from "./servers.mjs";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let cdn;
test.beforeAll(async () => { cdn = await serveDir(DIST); });
test.afterAll(async () => { await cdn.close(); });

const stub = (cfg, extra = "") =>
  `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', ${JSON.stringify(cfg)});${extra}</script>`;

async function send(page, message = "The door won't open \"now\" <b>&</b> 车门") {
  await page.getByRole("button", { name: "Reach us now" }).click();
  await page.getByLabel("What happened?").fill(message);
  await page.getByLabel("Email").fill("driver+1@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  return message;
}

const outbox = readOutbox;

test("deliver all: json, form, template and a callback each get the report once, in their own format", async ({ page }) => {
  const api = await backend();
  const cfg = {
    promise: "2h",
    deliver: "all",
    backends: [
      { url: `${api.url}/json`, headers: { "X-Brand": "acme" } },
      { type: "form", url: `${api.url}/form` },
      { type: "template", url: `${api.url}/tpl`, content_type: "text/plain", template: "{{reference}}|{{message}}|{{due_at}}" },
      { type: "callback" },
    ],
  };
  const handler = `ReachUs('on', 'submit', async (r) => { (window.calls = window.calls || []).push(r); });`;
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, head: stub(cfg, handler) }) });
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(site.url + "/");
  const message = await send(page);
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  const byPath = (p) => api.posts.filter((x) => x.url === p);
  expect(api.posts.map((p) => p.url).sort()).toEqual(["/form", "/json", "/tpl"]);
  const json = byPath("/json")[0];
  expect(json.headers["x-brand"]).toBe("acme");
  expect(json.headers["idempotency-key"]).toBe(json.body.id);
  const id = json.body.id;
  // form: a CORS simple request (no preflight), every scalar field flattened.
  const form = new URLSearchParams(byPath("/form")[0].raw);
  expect(byPath("/form")[0].headers["content-type"]).toBe("application/x-www-form-urlencoded");
  expect(form.get("message")).toBe(message);
  expect(form.get("contact.email")).toBe("driver+1@example.com");
  expect(form.get("id")).toBe(id);
  expect(form.get("promise.due_at")).toBe(json.body.promise.due_at);
  // template: placeholders filled, text/plain (also no preflight).
  expect(byPath("/tpl")[0].raw).toBe(`${json.body.reference}|${message}|${json.body.promise.due_at}`);
  expect(api.options.sort()).toEqual(["/json"]);
  // callback: the page's own code got the same report, once.
  const calls = await page.evaluate(() => window.calls.map((r) => [r.id, r.message]));
  expect(calls).toEqual([[id, message]]);
  expect(await outbox(page)).toEqual([]);
  expect(errors).toEqual([]);
  await api.close(); await site.close();
});

test("deliver first: a dead primary falls back at once, and the fallback's answer is the receipt", async ({ page }) => {
  const primary = await backend(() => ({ status: 503 }));
  const fallback = await backend(() => ({ status: 201, body: { reference: "FB-7" } }));
  const cfg = { deliver: "first", backends: [{ url: primary.url }, { url: fallback.url }] };
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, head: stub(cfg) }) });
  await page.goto(site.url + "/");
  await send(page);
  await expect(page.getByText("FB-7", { exact: true })).toBeVisible();
  expect(primary.posts).toHaveLength(1);
  expect(fallback.posts).toHaveLength(1);
  expect(fallback.posts[0].headers["idempotency-key"]).toBe(primary.posts[0].headers["idempotency-key"]);
  await page.waitForTimeout(2500);
  expect(primary.posts.length + fallback.posts.length).toBe(2);
  await primary.close(); await fallback.close(); await site.close();
});

test("Slack preset: read with CORS like hooks.slack.com (ACAO *), payload once, markup escaped; a revoked hook is refused", async ({ page }) => {
  const hook = await backend((p) => (p.raw.includes("revoked")
    ? { status: 404, raw: "no_service", type: "text/html" }
    : { status: 200, raw: "ok", type: "text/html" }));
  const cfg = { promise: "1h", backends: [{ preset: "slack", url: `${hook.url}/services/T0/B0/secret` }] };
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, head: stub(cfg) }) });
  const warnings = [];
  page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
  await page.goto(site.url + "/");
  await send(page, "Door stuck <!channel> & <https://evil.example|click>");
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  expect(hook.posts).toHaveLength(1);
  expect(hook.options).toEqual([]);
  const post = hook.posts[0];
  expect(post.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  const payload = JSON.parse(new URLSearchParams(post.raw).get("payload"));
  expect(Object.keys(payload)).toEqual(["text"]);
  expect(payload.text).toContain("Door stuck &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;");
  expect(payload.text).toMatch(/^New report [A-Z0-9-]+ \(problem\)\n/);
  // A revoked webhook (404 no_service) is seen: refused, the visitor told, never retried.
  await page.getByRole("button", { name: "Report something else" }).click();
  await page.getByLabel("What happened?").fill("this hook was revoked");
  await page.getByLabel("Email").fill("driver+1@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("alert")).toContainText("We couldn't deliver this (the server answered 404).");
  expect(warnings.some((w) => w.includes("no_service"))).toBe(true);
  await page.waitForTimeout(2500);
  expect(hook.posts).toHaveLength(2);
  await hook.close(); await site.close();
});

test("Slack preset with no_cors: true still reaches a hook that answers no CORS at all, unread", async ({ page }) => {
  const hook = await backend(() => ({ status: 404, raw: "no_service", type: "text/html" }), { cors: false });
  const cfg = { backends: [{ preset: "slack", url: `${hook.url}/services/T0/B0/secret`, no_cors: true }] };
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, head: stub(cfg) }) });
  await page.goto(site.url + "/");
  await send(page);
  // Opaque: even a 404 counts as delivered, which is what `no_cors` means.
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  expect(hook.posts).toHaveLength(1);
  await hook.close(); await site.close();
});

test("vendors' errors inside a 200: a rate limit waits the vendor's time, a refusal is told, nothing counts as delivered", async ({ page }) => {
  // Relays that pass DingTalk / Feishu / WeCom answers through, as their docs show them.
  const ding = await backend(() => ({ status: 200, body: { status: 1111, wait: 5, source: "x5", punish: "deny", errcode: 130101, errmsg: "send too fast, exceed 20 times per minute" } }));
  const feishu = await backend(() => ({ status: 200, body: { code: 19024, msg: "Key Words Not Found" } }));
  const wecom = await backend(() => ({ status: 200, body: { errcode: 45009, errmsg: "api freq out of limit" } }));
  const site = await servePages({
    "/ding": hostPage({ cdn: cdn.url, head: stub({ backends: [{ preset: "dingtalk", url: `${ding.url}/robot` }] }) }),
    "/feishu": hostPage({ cdn: cdn.url, head: stub({ backends: [{ preset: "feishu", url: `${feishu.url}/hook` }] }) }),
    "/wecom": hostPage({ cdn: cdn.url, head: stub({ backends: [{ preset: "wecom", url: `${wecom.url}/hook` }] }) }),
  });
  const warnings = [];
  page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
  for (const [path, server, wait] of [["/ding", ding, 600_000], ["/wecom", wecom, 60_000]]) {
    await page.goto(site.url + path);
    await send(page, "Door <at user_id=\"all\">x</at> stuck");
    await expect(page.locator("reach-us-widget .ru-queued-text")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toHaveCount(0);
    expect(server.posts).toHaveLength(1);
    const [e] = await outbox(page);
    expect(e.state).toBe("pending");
    expect(e.next_at - Date.now()).toBeGreaterThan(wait - 10_000);
    await page.evaluate(() => localStorage.clear());
  }
  expect(warnings.some((w) => w.includes("130101"))).toBe(true);
  expect(warnings.some((w) => w.includes("45009"))).toBe(true);
  await page.goto(site.url + "/feishu");
  await send(page, "Door <at user_id=\"all\">所有人</at> stuck");
  await expect(page.getByRole("alert")).toContainText("We couldn't deliver this (the server answered 422).");
  expect(warnings.some((w) => w.includes("19024") && w.includes("Key Words Not Found"))).toBe(true);
  const text = feishu.posts[0].body.content.text;
  expect(text).toContain("Door <\u200Bat user_id=\"all\">所有人<\u200B/at> stuck");
  expect(text.toLowerCase()).not.toContain("<at");
  for (const s of [ding, feishu, wecom, site]) await s.close();
});

test("Formspree: asks for JSON without a preflight, leaves out an empty email, and its reCAPTCHA page is not a delivery", async ({ page }) => {
  const fs = await backend((p) => (p.headers.accept === "application/json" && !p.raw.includes("captcha")
    ? { status: 200, body: { next: "https://formspree.io/thanks", ok: true } }
    : { status: 200, raw: "<!DOCTYPE html><html><body><div class=\"g-recaptcha\"></div></body></html>", type: "text/html" }));
  const cfg = { contact_fields: ["phone"], backends: [{ preset: "formspree", url: `${fs.url}/f/xyz` }] };
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, head: stub(cfg) }) });
  const warnings = [];
  page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
  await page.goto(site.url + "/");
  const sendPhone = async (message) => {
    await page.getByLabel("What happened?").fill(message);
    await page.getByLabel("Phone").fill("+86 400 000 0000");
    await page.getByRole("button", { name: "Send" }).click();
  };
  await page.getByRole("button", { name: "Reach us now" }).click();
  await sendPhone("Door stuck");
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  expect(fs.options).toEqual([]);
  const form = new URLSearchParams(fs.posts[0].raw);
  expect(fs.posts[0].headers.accept).toBe("application/json");
  expect(form.has("email")).toBe(false);
  expect(form.get("phone")).toBe("+86 400 000 0000");
  expect(form.get("message")).toBe("Door stuck");
  await page.getByRole("button", { name: "Report something else" }).click();
  await sendPhone("captcha please");
  await expect(page.getByRole("alert")).toContainText("We couldn't deliver this (the server answered 422).");
  expect(warnings.some((w) => w.includes("reCAPTCHA"))).toBe(true);
  await fs.close(); await site.close();
});

test("Discord: a 429 waits its Retry-After, then 204 delivers; masked links escaped, previews off, the trailer kept when cut", async ({ page }) => {
  const hook = await backend((_p, n) => (n === 1
    ? { status: 429, body: { message: "You are being rate limited.", retry_after: 5, global: false },
        headers: { "retry-after": "5", "access-control-expose-headers": "Retry-After" } }
    : { status: 204 }));
  const cfg = { promise: "2h", max_message_chars: 5000, backends: [{ preset: "discord", url: `${hook.url}/api/webhooks/1/x` }] };
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, head: stub(cfg) }) });
  await page.goto(site.url + "/");
  const message = "[your bank](https://evil.example) " + "x".repeat(2500);
  await send(page, message);
  await expect(page.locator("reach-us-widget .ru-queued-text")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible({ timeout: 15_000 });
  expect(hook.posts).toHaveLength(2);
  // 5 s, not the usual 2–4 s of a first retry.
  expect(hook.posts[1].at - hook.posts[0].at).toBeGreaterThanOrEqual(5_000);
  const body = hook.posts[1].body;
  expect(body.flags).toBe(4);
  expect(body.allowed_mentions).toEqual({ parse: [] });
  expect([...body.content].length).toBeLessThanOrEqual(2000);
  expect(body.content).toContain("\\[your bank\\](https://evil.example)");
  expect(body.content).toContain("…[cut]\nContact: driver+1@example.com");
  expect(body.content).toMatch(/Reply due: \d{4}-\d\d-\d\dT/);
  await hook.close(); await site.close();
});

test("config: a chat webhook the browser cannot reach, or a fixed Idempotency-Key, is one clear console error", async ({ page }) => {
  const site = await servePages({
    "/feishu": hostPage({ cdn: cdn.url, head: stub({ backends: [{ preset: "feishu", url: "https://open.feishu.cn/open-apis/bot/v2/hook/abc" }] }) }),
    "/key": hostPage({ cdn: cdn.url, head: stub({ backends: [{ url: "https://api.example/r", headers: { "Idempotency-Key": "fixed" } }] }) }),
  });
  for (const [path, words] of [["/feishu", ["backends[0].url", "open.feishu.cn", "CORS", "relay"]], ["/key", ["backends[0].headers", "Idempotency-Key"]]]) {
    const errors = [];
    page.removeAllListeners("console");
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(site.url + path);
    await page.evaluate(() => ReachUs("open"));
    await expect.poll(() => errors.length, { timeout: 10_000 }).toBe(1);
    for (const w of words) expect(errors[0]).toContain(w);
  }
  await site.close();
});

test("an answer whose body stalls: a json backend's 2xx is its acceptance (never resent); a form backend's is cut by the timeout and retried", async ({ page }) => {
  // json: the 201's status says the report is stored; its body (the reference) is optional.
  const api = await backend((p, n) => (n === 1
    ? { status: 201, body: { reference: "SLOW-1" }, stallBodyMs: 25_000 }
    : { status: 201, body: { reference: "FAST-2" } }));
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, attrs: { endpoint: api.url, "timeout-ms": "1500" } }) });
  await page.goto(site.url + "/");
  await send(page);
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible({ timeout: 8_000 });
  await page.waitForTimeout(4_000); // a retry would have come by now (2–4 s backoff)
  expect(api.posts).toHaveLength(1);
  const reference = api.posts[0].body.reference;
  await expect(page.getByText(reference, { exact: true })).toBeVisible();
  await site.close();
  // form: the body may carry the vendor's verdict, so an answer without it says nothing yet.
  const form = await backend((p, n) => (n === 1 ? { status: 200, body: {}, stallBodyMs: 25_000 } : { status: 200, body: {} }));
  const site2 = await servePages({ "/": hostPage({ cdn: cdn.url, head: stub({ backends: [{ type: "form", url: `${form.url}/form` }], timeout_ms: 1500 }) }) });
  await page.goto(site2.url + "/");
  await send(page);
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible({ timeout: 12_000 });
  expect(form.posts).toHaveLength(2);
  await api.close(); await form.close(); await site2.close();
});

test("callback: a rejection (here the CRM's 429) is retried with the same report, a resolve delivers, a permanent rejection refuses", async ({ page }) => {
  const cfg = { backends: [{ type: "callback" }] };
  const handler = `ReachUs('on', 'submit', (r) => {
    window.calls = (window.calls || []).concat([r.id]);
    if (r.message.includes('refuse')) return Promise.reject({ permanent: true, status: 422 });
    // A rate limit reads as HTTP's 429 does: retried, not refused.
    return window.calls.length === 1 ? Promise.reject({ status: 429, message: 'CRM rate limit' }) : Promise.resolve();
  });`;
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, head: stub(cfg, handler) }) });
  await page.goto(site.url + "/");
  await send(page, "Please call me back");
  await expect(page.locator("reach-us-widget .ru-queued-text")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible({ timeout: 10_000 });
  const calls = await page.evaluate(() => window.calls);
  expect(calls).toHaveLength(2);
  expect(calls[1]).toBe(calls[0]);
  await page.getByRole("button", { name: "Report something else" }).click();
  await page.getByLabel("What happened?").fill("please refuse this");
  await page.getByLabel("Email").fill("driver+1@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("alert")).toContainText("We couldn't deliver this (the server answered 422).");
  await expect(page.getByLabel("What happened?")).toHaveValue("please refuse this");
  await site.close();
});

test("pagehide hands a waiting report to a keepalive request; the stored copy stays until a 2xx is seen", async ({ page }) => {
  const api = await backend((_req, n) => (n === 1 ? { status: 503 } : undefined));
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, attrs: { endpoint: api.url } }), "/away": "<!doctype html><title>away</title><p>elsewhere" });
  await page.goto(site.url + "/");
  await send(page);
  await expect(page.locator("reach-us-widget .ru-queued-text")).toBeVisible();
  expect(api.posts).toHaveLength(1);
  await page.goto(site.url + "/away");
  // The next retry would be 2–4 s after the 503; the keepalive one comes at once.
  await expect.poll(() => api.posts.length, { timeout: 1_500 }).toBe(2);
  expect(api.posts[1].at - api.posts[0].at).toBeLessThan(2_000);
  expect(api.posts[1].headers["idempotency-key"]).toBe(api.posts[0].headers["idempotency-key"]);
  expect(api.posts[1].raw).toBe(api.posts[0].raw);
  // Its answer was never read, so the report is still stored: the next page sends it again
  // with the same key (the backend replays), and only then it leaves the outbox.
  expect((await outbox(page)).map((e) => e.state)).toEqual(["pending"]);
  await page.goto(site.url + "/");
  await expect.poll(() => api.posts.length, { timeout: 10_000 }).toBe(3);
  expect(api.posts[2].headers["idempotency-key"]).toBe(api.posts[0].headers["idempotency-key"]);
  await expect.poll(async () => (await outbox(page)).length).toBe(0);
  await api.close(); await site.close();
});

test("without Web Locks, a storage lease keeps two tabs from sending the same report at once", async ({ browser }) => {
  const api = await backend(() => ({ status: 201, delayMs: 500, body: {} }));
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, attrs: { endpoint: api.url } }), "/seed": "<!doctype html><title>seed</title>" });
  const context = await browser.newContext();
  await context.addInitScript(() => { delete Navigator.prototype.locks; });
  const a = await context.newPage();
  await a.goto(site.url + "/seed");
  expect(await a.evaluate(() => navigator.locks)).toBeUndefined();
  // Six reports left waiting by earlier pages (in the one-list format of v0.x, which the
  // widget moves to one key per report on first read); the flag makes the loader fetch it.
  await a.evaluate(() => {
    const now = Date.now();
    const list = Array.from({ length: 6 }, (_, i) => ({
      id: `00000000-0000-4000-8000-00000000000${i}`,
      body: JSON.stringify({ id: `k${i}`, reference: `R-${i}`, created_at: new Date(now).toISOString(), category: "problem" }),
      created: now, attempts: 1, next_at: now, rounds: 1, state: "pending",
    }));
    localStorage.setItem("reach-us:v1:outbox", JSON.stringify(list));
    localStorage.setItem("reach-us", "1");
  });
  await a.goto(site.url + "/");
  await expect.poll(() => api.posts.length, { timeout: 10_000 }).toBeGreaterThan(0);
  const b = await context.newPage();
  await b.goto(site.url + "/");
  await expect.poll(async () => (await outbox(a)).length, { timeout: 15_000 }).toBe(0);
  await b.waitForTimeout(1_000);
  const keys = api.posts.map((p) => p.headers["idempotency-key"]);
  expect(api.stats.overlaps).toBe(0);
  expect(new Set(keys).size).toBe(6);
  expect(keys).toHaveLength(6);
  await context.close(); await api.close(); await site.close();
});

test("two tabs writing the outbox at the same moment lose no report (one key per report)", async ({ browser }) => {
  // Each key's first attempt gets a 503, so every report waits in the outbox for a retry
  // while the other tab rewrites what it holds (its `online` handler, run every few ms).
  const seen = new Set();
  const api = await backend((p) => {
    const key = p.headers["idempotency-key"];
    if (seen.has(key)) return { status: 201, body: { reference: p.body.reference } };
    seen.add(key);
    return { status: 503 };
  });
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, attrs: { endpoint: api.url, "timeout-ms": "2000" } }) });
  const context = await browser.newContext();
  const [a, b] = [await context.newPage(), await context.newPage()];
  for (const p of [a, b]) { await p.emulateMedia({ reducedMotion: "reduce" }); await p.goto(site.url + "/"); }
  await a.getByRole("button", { name: "Reach us now" }).click(); // A's widget runs its outbox
  await a.evaluate(() => { window.spam = setInterval(() => dispatchEvent(new Event("online")), 3); });
  const N = 20;
  await b.bringToFront();
  await b.getByRole("button", { name: "Reach us now" }).click();
  const w = b.locator("reach-us-widget");
  for (let i = 0; i < N; i++) {
    const again = w.locator(".ru-receipt .ru-secondary");
    if (await again.isVisible()) await again.click();
    await b.getByLabel("What happened?").fill(`report ${i}`);
    await b.getByLabel("Email").fill(`r${i}@example.com`);
    await b.getByRole("button", { name: "Send" }).click();
    try {
      await w.locator(".ru-receipt").first().waitFor({ timeout: 10_000 });
    } catch (e) {
      const shown = await b.evaluate(() => document.querySelector("reach-us-widget").shadowRoot.querySelector(".ru-dialog")?.textContent);
      throw new Error(`report ${i} showed no outcome: ${shown}`);
    }
  }
  await a.evaluate(() => clearInterval(window.spam));
  const accepted = () => new Set(api.posts.filter((p) => seen.has(p.headers["idempotency-key"])).map((p) => p.headers["idempotency-key"]));
  await expect.poll(() => api.posts.length > 0 && [...seen].length, { timeout: 10_000 }).toBe(N);
  // Every report was retried to its 201: none vanished from the outbox.
  const ok = () => new Set(api.posts.filter((p, i) => api.posts.findIndex((q) => q.headers["idempotency-key"] === p.headers["idempotency-key"]) !== i).map((p) => p.headers["idempotency-key"])).size;
  await expect.poll(ok, { timeout: 45_000 }).toBe(N);
  expect(accepted().size).toBe(N);
  await context.close(); await api.close(); await site.close();
});

test("a report refused while the visitor was elsewhere is shown as not delivered, text kept, until dismissed", async ({ page }) => {
  const api = await backend(() => ({ status: 400, body: { error: "raw backend text" } }));
  const site = await servePages({
    "/": hostPage({ cdn: cdn.url, attrs: { endpoint: api.url, "fallback-email": "help@brand.example" } }),
    "/seed": "<!doctype html><title>seed</title>",
  });
  await page.goto(site.url + "/seed");
  // Left waiting by an earlier page: the visitor is not looking at it any more.
  await page.evaluate(() => {
    const now = Date.now(), id = "00000000-0000-4000-8000-0000000000aa";
    const body = JSON.stringify({ id, reference: "RU-REFUSD", message: "Door <b>stuck</b> & cold", created_at: new Date(now).toISOString(), category: "problem" });
    localStorage.setItem(`reach-us:v1:outbox:${id}`, JSON.stringify({ id, body, created: now, attempts: 1, next_at: now, rounds: 1, state: "pending" }));
    localStorage.setItem("reach-us", "1");
  });
  await page.goto(site.url + "/");
  // Loaded when idle (the flag), tried once, refused: the launcher says so.
  await expect.poll(() => api.posts.length, { timeout: 10_000 }).toBe(1);
  const launcher = page.getByRole("button", { name: "Reach us now (Not delivered)" });
  await expect(launcher).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem("reach-us"))).toBe("1");
  await launcher.click();
  const section = page.getByRole("region", { name: "Not delivered" });
  await expect(section).toContainText("RU-REFUSD");
  await expect(section).toContainText("We couldn't deliver this (the server answered 400).");
  await expect(section.getByText("Door <b>stuck</b> & cold")).toBeVisible(); // as text, never HTML
  await expect(page.getByText("raw backend text")).toHaveCount(0);
  const mail = section.getByRole("link", { name: "Email us" });
  expect(await mail.getAttribute("href")).toContain("body=Door%20%3Cb%3Estuck%3C%2Fb%3E%20%26%20cold");
  await expect(section.getByRole("button", { name: "Copy text" })).toBeVisible();
  expect(await readOutbox(page)).toHaveLength(1); // kept until the visitor has seen it
  await section.getByRole("button", { name: "Dismiss" }).click();
  await expect(section).toHaveCount(0);
  expect(await readOutbox(page)).toHaveLength(0);
  expect(await page.evaluate(() => localStorage.getItem("reach-us"))).toBeNull();
  await page.reload();
  await page.getByRole("button", { name: "Reach us now" }).click();
  await expect(page.getByRole("region", { name: "Not delivered" })).toHaveCount(0);
  expect(api.posts).toHaveLength(1); // refused once: never retried
  await api.close(); await site.close();
});
