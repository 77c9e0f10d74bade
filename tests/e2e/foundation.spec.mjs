// The foundation contract, from outside, the way a brand's QA would check it: one tag on a
// page of one origin, the widget's files on another, a real backend on a third.
import { test, expect } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveDir, servePages, backend, hostPage, readOutbox } from "./servers.mjs";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let cdn;
test.beforeAll(async () => { cdn = await serveDir(DIST); });
test.afterAll(async () => { await cdn.close(); });

/** Open a host page, collecting console errors and page exceptions. */
async function open(page, html) {
  const site = await servePages({ "/": html });
  const log = { errors: [], exceptions: [] };
  page.on("console", (m) => { if (m.type() === "error") log.errors.push(m.text()); });
  page.on("pageerror", (e) => log.exceptions.push(String(e)));
  await page.goto(site.url + "/");
  return { site, log };
}

test("one tag: launcher, dialog, send, exactly one POST, receipt", async ({ page }) => {
  const api = await backend();
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: `${api.url}/reach-us`, brand: "Acme", promise: "2h" } }));
  const launcher = page.getByRole("button", { name: "Reach us now" });
  await expect(launcher).toBeVisible();
  await launcher.click();
  const dialog = page.getByRole("dialog", { name: "Tell Acme what's wrong" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute("aria-modal", "true");
  await expect(dialog.getByText(/^We reply within 2 hours: by (today|tomorrow) \d/)).toBeVisible();
  await expect(dialog.getByLabel("What happened?")).toBeFocused();
  await dialog.getByLabel("What is it about?").selectOption("order");
  const message = "The driver's door won't open 🚗 <b>not bold</b>";
  await dialog.getByLabel("What happened?").fill(message);
  await dialog.getByLabel("Email").fill("driver@example.com");
  await dialog.getByRole("button", { name: "Send" }).click();
  await expect(dialog.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();

  expect(api.posts).toHaveLength(1);
  const post = api.posts[0];
  expect(post.method).toBe("POST");
  expect(post.url).toBe("/reach-us");
  expect(post.headers["content-type"]).toBe("application/json");
  const body = post.body;
  expect(post.headers["idempotency-key"]).toBe(body.id);
  expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(body).toMatchObject({
    schema: "reach-us/v1",
    category: "order",
    message,
    contact: { email: "driver@example.com" },
    promise: { respond_within: "2h", respond_within_minutes: 120 },
    page: { url: site.url + "/", title: "Host page", referrer: "" },
    locale: "en",
    client: { widget_version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
  });
  expect(Object.keys(body).sort()).toEqual(["category", "client", "contact", "created_at", "id", "locale", "message", "page", "promise", "reference", "schema", "timezone"]);
  expect(Date.parse(body.promise.due_at) - Date.parse(body.created_at)).toBe(2 * 3600 * 1000);
  expect(body.reference).toMatch(/^ACME-[0-9A-HJKMNP-TV-Z]{6}$/);
  expect(typeof body.timezone).toBe("string");
  // The receipt shows the reference and the promise again.
  await expect(dialog.getByText(body.reference, { exact: true })).toBeVisible();
  await expect(dialog.getByText(/We reply within 2 hours: by /)).toBeVisible();
  // The message was rendered as text, never as HTML.
  expect(log.errors).toEqual([]);
  expect(log.exceptions).toEqual([]);
  await api.close(); await site.close();
});

test("a server reference replaces the client one on the receipt", async ({ page }) => {
  const api = await backend(() => ({ status: 200, body: { reference: "SRV-42" } }));
  const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: api.url, promise: "30m" } }));
  await page.getByRole("button", { name: "Reach us now" }).click();
  await page.getByLabel("What happened?").fill("Charging stops at 80%");
  await page.getByLabel("Phone").fill("+86 400 000 0000");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("SRV-42", { exact: true })).toBeVisible();
  expect(api.posts[0].body.contact).toEqual({ phone: "+86 400 000 0000" });
  await api.close(); await site.close();
});

test("a 503 is saved and retried by itself, with the same key and body", async ({ page }) => {
  const api = await backend((_req, n) => (n === 1 ? { status: 503, body: { error: "<script>raw backend text</script>" } } : undefined));
  const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: api.url } }));
  await page.getByRole("button", { name: "Reach us now" }).click();
  await page.getByLabel("What happened?").fill("Screen is black");
  await page.getByLabel("Email").fill("a@b.co");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator("reach-us-widget .ru-queued-text")).toHaveText("Saved. Our server isn't answering yet; we'll keep trying, even if you close this page.");
  await expect(page.getByText("raw backend text")).toHaveCount(0);
  // The first retry comes 2–4 s later, untouched by the visitor.
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible({ timeout: 10_000 });
  expect(api.posts).toHaveLength(2);
  expect(api.posts[1].headers["idempotency-key"]).toBe(api.posts[0].headers["idempotency-key"]);
  expect(api.posts[1].raw).toBe(api.posts[0].raw);
  expect(await readOutbox(page)).toHaveLength(0);
  await api.close(); await site.close();
});

test("a refusal (400) is not retried: the visitor is told plainly and keeps the text", async ({ page }) => {
  const api = await backend(() => ({ status: 400, body: { error: "<b>raw backend text</b>" } }));
  const html = hostPage({ cdn: cdn.url, attrs: { endpoint: api.url, "fallback-email": "help@brand.example" } });
  const { site } = await open(page, html);
  await page.getByRole("button", { name: "Reach us now" }).click();
  await page.getByLabel("What happened?").fill("Screen is black");
  await page.getByLabel("Email").fill("a@b.co");
  await page.getByRole("button", { name: "Send" }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("We couldn't deliver this (the server answered 400). Copy your text, or email us.");
  await expect(alert).not.toContainText("raw backend text");
  await expect(alert.getByRole("button", { name: "Copy text" })).toBeVisible();
  const mail = alert.getByRole("link", { name: "Email us" });
  await expect(mail).toHaveAttribute("href", /^mailto:help@brand\.example\?subject=.*&body=Screen%20is%20black$/);
  await expect(page.getByLabel("What happened?")).toHaveValue("Screen is black");
  await page.waitForTimeout(2500);
  expect(api.posts).toHaveLength(1);
  await api.close(); await site.close();
});

test("validation errors sit next to their field and focus moves to the first", async ({ page }) => {
  const api = await backend();
  const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: api.url, "max-message-chars": "10" } }));
  await page.getByRole("button", { name: "Reach us now" }).click();
  await page.getByRole("button", { name: "Send" }).click();
  const message = page.getByLabel("What happened?");
  await expect(message).toBeFocused();
  await expect(message).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Please describe the problem.")).toBeVisible();
  await expect(page.getByText("Give us an email or a phone number so we can reply.")).toBeVisible();
  // 10 CJK characters fit a 10-character limit; 11 do not.
  await message.fill("车门打不开了怎么办呀");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByLabel("Email")).toBeFocused();
  await expect(page.getByText("This email address doesn't look right.")).toBeVisible();
  await expect(page.getByText(/Please shorten/)).toHaveCount(0);
  await message.fill("车门打不开了怎么办呀！");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("Please shorten this to 10 characters (now 11).")).toBeVisible();
  expect(api.posts).toHaveLength(0);
  await api.close(); await site.close();
});

test("keyboard: Enter opens, Tab stays inside, Escape closes and returns focus", async ({ page }) => {
  const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" } }));
  const launcher = page.getByRole("button", { name: "Reach us now" });
  await expect(launcher).toBeVisible();
  // Tab from the top of the page reaches the launcher (the host page has no other control).
  await page.keyboard.press("Tab");
  await expect(launcher).toBeFocused();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await expect(page.getByLabel("What happened?")).toBeFocused();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    const inside = await page.evaluate(() => {
      const root = document.querySelector("reach-us-widget").shadowRoot;
      return !!root.activeElement && !!root.activeElement.closest("[role=dialog]");
    });
    expect(inside).toBe(true);
  }
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: "Reach us now" })).toBeFocused();
  await site.close();
});

test("Chinese pages get a Chinese widget", async ({ page }) => {
  const { site } = await open(page, hostPage({ cdn: cdn.url, lang: "zh-CN", attrs: { endpoint: "/r", promise: "2h" } }));
  await page.getByRole("button", { name: "立即联系我们" }).click();
  await expect(page.getByRole("dialog", { name: "告诉我们出了什么问题" })).toBeVisible();
  await expect(page.getByText(/^我们会在2小时内回复：最晚 (今天|明天)/)).toBeVisible();
  await site.close();
});

test("a visitor downloads one language: only their locale's table is fetched, English none", async ({ page }) => {
  const tables = () => cdn.requests.filter((p) => /\.[A-Za-z-]+\.json$/.test(p));
  let before = tables().length;
  const { site } = await open(page, hostPage({ cdn: cdn.url, lang: "de", attrs: { endpoint: "/r" } }));
  await page.getByRole("button", { name: "Jetzt Kontakt aufnehmen" }).click();
  await expect(page.getByRole("dialog", { name: "Sagen Sie uns, was nicht stimmt" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Senden" })).toBeVisible();
  expect(tables().slice(before).map((p) => p.replace(/^.*\./, "."))).toEqual([".json"]);
  expect(tables().slice(before)[0]).toMatch(/^\/reach-us-[0-9a-f]+\.de\.json$/);
  await site.close();
  before = tables().length;
  const en = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" } }));
  await page.getByRole("button", { name: "Reach us now" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  expect(tables().slice(before)).toEqual([]);
  await en.site.close();
});

test("a locale table that cannot be fetched leaves a working widget in English, with a warning", async ({ page }) => {
  await page.route(/\.ja\.json$/, (route) => route.abort());
  const warnings = [];
  page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, lang: "ja", attrs: { endpoint: "/r" } }));
  // The facade speaks Japanese (the loader carries every launcher label); the widget, English.
  await page.getByRole("button", { name: "今すぐ問い合わせる" }).click();
  await expect(page.getByRole("dialog", { name: "Tell us what's wrong" })).toBeVisible();
  await expect(page.getByLabel("What happened?")).toBeFocused();
  expect(warnings.some((w) => w.includes("could not load the ja texts"))).toBe(true);
  expect(log.exceptions).toEqual([]);
  await site.close();
});

test("no wasm before intent; hover loads it; the widget lives in an open shadow root", async ({ page }) => {
  const before = cdn.requests.length;
  const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" } }));
  await expect(page.getByRole("button", { name: "Reach us now" })).toBeVisible();
  await page.waitForTimeout(300);
  const early = cdn.requests.slice(before);
  expect(early).toEqual(["/reach-us.js"]);
  await page.getByRole("button", { name: "Reach us now" }).hover();
  await page.locator("reach-us-widget[data-ready]").waitFor({ state: "attached" });
  const later = cdn.requests.slice(before);
  expect(later.some((p) => p.endsWith("_bg.wasm"))).toBe(true);
  const shadow = await page.evaluate(() => {
    const host = document.querySelector("reach-us-widget");
    return { mode: host.shadowRoot && host.shadowRoot.mode, lightChildren: host.children.length, inDocument: document.querySelectorAll(".ru-launcher").length };
  });
  expect(shadow).toEqual({ mode: "open", lightChildren: 0, inDocument: 0 });
  await site.close();
});

test("ReachUs() calls made before the loader are kept and replayed", async ({ page }) => {
  const api = await backend();
  const stub = `<script>window.ReachUs=window.ReachUs||function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};
    ReachUs('init', {endpoint: '${api.url}', brand: 'Queue Co', categories: [{id: 'safety', label: {en: 'Safety problem'}}]});
    ReachUs('prefill', {message: 'Prefilled text', contact: {email: 'q@example.com'}});
    ReachUs('open');</script>`;
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, head: stub }));
  const dialog = page.getByRole("dialog", { name: "Tell Queue Co what's wrong" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("What happened?")).toHaveValue("Prefilled text");
  await expect(dialog.getByLabel("What is it about?")).toHaveValue("safety");
  await dialog.getByRole("button", { name: "Send" }).click();
  await expect(dialog.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  expect(api.posts[0].body.category).toBe("safety");
  expect(api.posts[0].body.contact.email).toBe("q@example.com");
  expect(log.errors).toEqual([]);
  await api.close(); await site.close();
});

test("a bad promise: one clear console error naming it, and no promise rather than a wrong one", async ({ page }) => {
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", promise: "-2h" } }));
  await page.getByRole("button", { name: "Reach us now" }).click();
  await expect(page.getByLabel("What happened?")).toBeVisible();
  expect(log.errors).toHaveLength(1);
  expect(log.errors[0]).toContain("`promise`");
  expect(log.errors[0]).toContain("negative");
  await expect(page.locator("reach-us-widget .ru-promise")).toHaveCount(0);
  expect(log.exceptions).toEqual([]);
  await site.close();
});

test("invalid config: one clear console error naming the field, no exception", async ({ page }) => {
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", position: "top-middle" } }));
  await page.getByRole("button", { name: "Reach us now" }).hover();
  await expect.poll(() => log.errors.length).toBe(1);
  expect(log.errors[0]).toContain("`position`");
  expect(log.errors[0]).toContain("top-middle");
  await expect(page.getByRole("button", { name: "Reach us now" })).toHaveCount(0);
  // Settled (`data-ready`), but marked as not running, so a QA script can tell.
  await expect(page.locator("reach-us-widget[data-ready][data-error=config]")).toHaveCount(1);
  expect(log.exceptions).toEqual([]);
  // The API stays callable and never throws into the page.
  await page.evaluate(() => { window.ReachUs("open"); window.ReachUs("no-such-verb"); });
  expect(log.exceptions).toEqual([]);
  await site.close();
});

test("a tag without an endpoint starts once a later init gives it one, even after the code has loaded", async ({ page }) => {
  const api = await backend();
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { promise: "2h" } }));
  // The code arrives first (a hover), before the page's own init: an error, not running.
  await page.getByRole("button", { name: "Reach us now" }).hover();
  await expect(page.locator("reach-us-widget[data-error=config]")).toHaveCount(1);
  expect(log.errors.join("\n")).toContain("endpoint");
  // The page's init arrives: the widget starts after all, and delivers.
  await page.evaluate((url) => window.ReachUs("init", { backends: [{ url }] }), api.url + "/r");
  await expect(page.locator("reach-us-widget[data-error]")).toHaveCount(0);
  await page.getByRole("button", { name: "Reach us now" }).click();
  await page.getByLabel("What happened?").fill("Door");
  await page.getByLabel("Email").fill("a@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  expect(api.posts.length).toBe(1);
  expect(log.exceptions).toEqual([]);
  await api.close(); await site.close();
});

test("a bad attribute and a bad queued init: a console error for each, no exception", async ({ page }) => {
  const stub = `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', {brand: "Acme", colour: "#f00"});</script>`;
  const { site, log } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", "max-message-chars": "many" }, head: stub }));
  await page.getByRole("button", { name: "Reach us now" }).hover();
  await expect.poll(() => log.errors.length).toBe(2);
  expect(log.errors[0]).toContain("`max_message_chars`");
  expect(log.errors[1]).toContain("`colour`");
  await expect(page.getByRole("button", { name: "Reach us now" })).toHaveCount(0);
  expect(log.exceptions).toEqual([]);
  await site.close();
});

test("host page CSS cannot change the widget", async ({ page }) => {
  const hostile = `<style>* { all: unset !important; } button { display: none !important; }
    div, p, input, textarea, select, label { color: red !important; font-size: 40px !important; background: yellow !important; }
    reach-us-widget { opacity: .1 !important; }</style>`;
  // No entry animation: measure the settled layout.
  await page.emulateMedia({ reducedMotion: "reduce" });
  const measure = async (head) => {
    const { site } = await open(page, hostPage({ cdn: cdn.url, attrs: { endpoint: "/r" }, head }));
    const launcher = page.getByRole("button", { name: "Reach us now" });
    await launcher.click();
    await page.getByRole("dialog").waitFor();
    const m = await page.evaluate(() => {
      const root = document.querySelector("reach-us-widget").shadowRoot;
      const pick = (sel) => {
        const el = root.querySelector(sel); const cs = getComputedStyle(el); const r = el.getBoundingClientRect();
        // Distances to the viewport's bottom-right: the host may change its own scrollbars.
        const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
        return { w: Math.round(r.width), h: Math.round(r.height), right: Math.round(vw - r.right), bottom: Math.round(vh - r.bottom),
          color: cs.color, bg: cs.backgroundColor, font: cs.font, display: cs.display, radius: cs.borderRadius };
      };
      return { launcher: pick(".ru-launcher"), dialog: pick(".ru-dialog"), textarea: pick("#ru-message"), send: pick(".ru-send"),
        opacity: getComputedStyle(document.querySelector("reach-us-widget")).opacity };
    });
    await site.close();
    return m;
  };
  const plain = await measure("");
  const attacked = await measure(hostile);
  expect(attacked).toEqual(plain);
  expect(plain.launcher.display).not.toBe("none");
});
