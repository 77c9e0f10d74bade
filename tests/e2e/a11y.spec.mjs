// WCAG 2.2 AA, checked with axe-core in every state the visitor can meet, in light, dark,
// Chinese, Arabic (RTL) and on a phone; the README's screenshots are taken here too.
import { test, expect } from "@playwright/test";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { writeFileSync, mkdirSync } from "node:fs";
import { serveDir, servePages, backend, hostPage } from "./servers.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const DIST = join(ROOT, "dist");
const SHOTS = join(ROOT, "docs/screenshots");
const results = [];
let cdn;
test.beforeAll(async () => { cdn = await serveDir(DIST); });
test.afterAll(async () => {
  await cdn.close();
  mkdirSync(join(ROOT, "target"), { recursive: true });
  writeFileSync(join(ROOT, "target/a11y-report.json"), JSON.stringify(results, null, 2));
  console.log("axe-core (WCAG 2.0/2.1/2.2 A+AA) violations per state:");
  for (const r of results) console.log(`  ${r.state.padEnd(34)} ${r.violations} violations, ${r.passes} rules passed`);
});

async function axe(page, state) {
  await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
  }));
  const v = r.violations.map((x) => `${x.id}: ${x.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  results.push({ state, violations: r.violations.length, passes: r.passes.length, details: v });
  expect(v, state).toEqual([]);
}

const cfg = (endpoint, extra = {}) => ({
  endpoint, brand: "Acme",
  promise: { respond_within: "2h", business_hours: { time_zone: "Europe/Paris", "mon-sun": "00:00-24:00" } },
  categories: [
    { id: "problem", label: { en: "Something isn't working", "zh-CN": "有东西不能用了", ar: "شيء لا يعمل" } },
    { id: "safety", label: { en: "Safety problem", "zh-CN": "安全问题", ar: "مشكلة سلامة" }, urgent: { hotline: "+86 400 000 0000" } },
  ],
  notice: { title: { en: "Charging outage in Berlin", "zh-CN": "柏林充电故障", ar: "انقطاع الشحن في برلين" }, updated_at: "2026-11-23T14:05:00Z", next_update_by: "2026-11-23T15:00:00Z" },
  ...extra,
});

async function load(page, { api, lang = "en", extra, dir } = {}) {
  const stub = `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', ${JSON.stringify(cfg(api ? api.url : "/r", extra))});</script>`;
  let html = hostPage({ cdn: cdn.url, lang, head: `<meta name="viewport" content="width=device-width,initial-scale=1">${stub}` });
  if (dir) html = html.replace(`lang="${lang}"`, `lang="${lang}" dir="${dir}"`);
  const site = await servePages({ "/": html });
  await page.clock.setFixedTime(new Date("2026-11-23T14:30:00Z"));
  await page.goto(site.url + "/");
  return site;
}

test.use({ timezoneId: "Europe/Paris" });

test("light: every state of a report, from launcher to receipt and back", async ({ page }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  let release;
  const gate = new Promise((r) => (release = r));
  const api = await backend(async (req, n) => (n === 1 ? { status: 400 } : (await gate, undefined)));
  const site = await load(page, { api });
  await expect(page.getByRole("button", { name: "Reach us now" })).toBeVisible();
  await axe(page, "launcher (facade, before load)");
  await page.getByRole("button", { name: "Reach us now" }).hover();
  await page.locator("reach-us-widget[data-ready]").waitFor({ state: "attached" });
  await axe(page, "launcher (loaded, notice dot)");
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await axe(page, "open form + notice banner");
  await page.locator("reach-us-widget .ru-dialog").screenshot({ path: join(SHOTS, "light.png") });
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByLabel("What happened?")).toBeFocused();
  await axe(page, "validation errors");
  await page.getByLabel("What is it about?").selectOption("safety");
  await expect(page.getByRole("link", { name: "+86 400 000 0000" })).toBeVisible();
  await axe(page, "urgent hotline");
  await page.getByLabel("What happened?").fill("The door will not open");
  await page.getByLabel("Email").fill("a@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await axe(page, "send failed (alert)");
  // Editing the text makes it a new report: the refused one moves to "Not delivered".
  await page.getByLabel("What happened?").fill("The door will not open!");
  await expect(page.getByRole("region", { name: "Not delivered" })).toContainText("The door will not open");
  await axe(page, "not delivered (refused earlier)");
  await page.getByLabel("What happened?").fill("The door will not open"); // back to the same report
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("button", { name: "Sending…" })).toBeVisible();
  await axe(page, "sending");
  release();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  await axe(page, "receipt");
  await page.reload();
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await expect(page.getByRole("region", { name: "Your reports" })).toBeVisible();
  await axe(page, "your reports");
  await api.close(); await site.close();
});

test("offline: saved, and sent when the browser is back online", async ({ page, context }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  const api = await backend();
  const site = await load(page, { api });
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await page.getByLabel("What happened?").fill("No signal in the garage");
  await page.getByLabel("Email").fill("a@example.com");
  await context.setOffline(true);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator("reach-us-widget .ru-queued-text")).toHaveText("Saved. We'll send it when you're back online.");
  await axe(page, "offline: saved");
  expect(api.posts).toHaveLength(0);
  await context.setOffline(false);
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible({ timeout: 10_000 });
  expect(api.posts).toHaveLength(1);
  await api.close(); await site.close();
});

test("dark (theme auto, dark system preference)", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "dark", reducedMotion: "reduce" });
  const site = await load(page, { extra: { theme: "auto" } });
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  const bg = await page.evaluate(() => getComputedStyle(document.querySelector("reach-us-widget").shadowRoot.querySelector(".ru-dialog")).backgroundColor);
  expect(bg).toBe("rgb(27, 30, 36)");
  await axe(page, "dark: open form");
  await page.locator("reach-us-widget .ru-dialog").screenshot({ path: join(SHOTS, "dark.png") });
  await page.getByRole("button", { name: "Send" }).click();
  await axe(page, "dark: validation errors");
  await site.close();
});

test("a brand colour that fails contrast is adjusted, with a console warning", async ({ page }) => {
  const warnings = [];
  page.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
  const site = await load(page, { extra: { color: "#ffcc00" } });
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await axe(page, "brand colour #ffcc00");
  expect(warnings.some((w) => w.includes("#ffcc00") && w.includes("4.5:1"))).toBe(true);
  await site.close();
});

test("Chinese", async ({ page }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  const site = await load(page, { lang: "zh-CN" });
  await page.getByRole("button", { name: /立即联系我们/ }).click();
  await expect(page.getByRole("dialog", { name: "告诉Acme出了什么问题" })).toBeVisible();
  await axe(page, "zh-CN: open form");
  await page.locator("reach-us-widget .ru-dialog").screenshot({ path: join(SHOTS, "zh-CN.png") });
  await site.close();
});

test("Arabic renders right-to-left inside the shadow root, even on a left-to-right page", async ({ page }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  const site = await load(page, { lang: "ar", dir: "ltr" });
  await page.getByRole("button", { name: /تواصل معنا الآن/ }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  const dir = await page.evaluate(() => {
    const root = document.querySelector("reach-us-widget").shadowRoot;
    return [root.querySelector(".ru-root").getAttribute("dir"), getComputedStyle(root.querySelector(".ru-dialog")).direction, document.documentElement.dir];
  });
  expect(dir).toEqual(["rtl", "rtl", "ltr"]);
  await axe(page, "ar (RTL): open form");
  await page.locator("reach-us-widget .ru-dialog").screenshot({ path: join(SHOTS, "ar.png") });
  await site.close();
});

test.describe("phone", () => {
  test.use({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
  test("mobile sheet at 320 px", async ({ page }) => {
    await page.emulateMedia({ reducedMotion: "reduce" });
    const site = await load(page);
    await page.getByRole("button", { name: /Reach us now/ }).tap();
    await expect(page.getByRole("dialog")).toBeVisible();
    await axe(page, "mobile sheet (320 px)");
    const overflow = await page.evaluate(() => { const b = document.querySelector("reach-us-widget").shadowRoot.querySelector(".ru-body"); return b.scrollWidth - b.clientWidth; });
    expect(overflow).toBeLessThanOrEqual(0);
    await site.close();
  });
});

test("the checker sees inside the widget's shadow root (it can fail)", async ({ page }) => {
  const site = await load(page);
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await page.evaluate(() => {
    const body = document.querySelector("reach-us-widget").shadowRoot.querySelector(".ru-body");
    const bad = document.createElement("input"); // no label: a WCAG 4.1.2 failure
    bad.id = "unlabelled";
    body.appendChild(bad);
  });
  await page.addScriptTag({ path: AXE });
  const ids = await page.evaluate(async () => (await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a"] } })).violations.map((v) => v.id));
  expect(ids).toContain("label");
  await site.close();
});

test("a report turning overdue is announced once through the polite live region", async ({ page }) => {
  await page.clock.install({ time: new Date("2026-11-23T09:00:00Z") });
  const api = await backend();
  const stub = `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', ${JSON.stringify({ endpoint: api.url, promise: "30m" })});</script>`;
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, head: stub }) });
  await page.goto(site.url + "/");
  await page.getByRole("button", { name: "Reach us now" }).click();
  await page.getByLabel("What happened?").fill("Door");
  await page.getByLabel("Email").fill("a@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  await page.getByRole("button", { name: "Report something else" }).click();
  const reports = page.getByRole("region", { name: "Your reports" });
  await expect(reports.locator(".ru-verdict")).toHaveText("Reply due in 30 minutes");
  const live = reports.getByRole("status");
  await expect(live).toHaveText("");
  await page.clock.runFor(31 * 60 * 1000);
  await expect(live).toHaveText(/^[A-Z0-9]+-[0-9A-Z]{6}: Overdue by 1 minute\. We're sorry\.$/);
  await api.close(); await site.close();
});

test.describe("200% zoom (1280×800 at 2×: 640×400 CSS px)", () => {
  test.use({ viewport: { width: 640, height: 400 } });
  test("the dialog fits, scrolls, and Send stays reachable", async ({ page }) => {
    await page.emulateMedia({ reducedMotion: "reduce" });
    const site = await load(page);
    await page.getByRole("button", { name: /Reach us now/ }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toBeVisible();
    const box = await dialog.boundingBox();
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(640);
    expect(box.y + box.height).toBeLessThanOrEqual(400);
    const send = page.getByRole("button", { name: "Send" });
    await send.scrollIntoViewIfNeeded();
    const s = await send.boundingBox();
    expect(s.y + s.height).toBeLessThanOrEqual(400);
    await axe(page, "200% zoom: open form");
    await site.close();
  });
});

test("forced colors (Windows high contrast) keep the controls visible", async ({ page }) => {
  await page.emulateMedia({ forcedColors: "active", reducedMotion: "reduce" });
  const site = await load(page);
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  const borders = await page.evaluate(() => {
    const root = document.querySelector("reach-us-widget").shadowRoot;
    return [".ru-launcher", ".ru-send", ".ru-dialog"].map((sel) => getComputedStyle(root.querySelector(sel)).borderTopStyle);
  });
  expect(borders).toEqual(["solid", "solid", "solid"]);
  await axe(page, "forced colors: open form");
  await site.close();
});

test("issue 21: the widened promise and the incident offer, light and dark", async ({ page }) => {
  const http = await import("node:http");
  const track = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
    res.end(JSON.stringify({ window_days: 30, kept_ratio: 1, median_reply_minutes: 40, total: 3, surge: { problem: 540 } }));
  });
  await new Promise((r) => track.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${track.address().port}/t`;
  for (const theme of ["light", "dark"]) {
    const base = cfg("/r");
    const site = await load(page, { extra: { theme, promise: { ...base.promise, track_record_url: url }, notice: { ...base.notice, id: "berlin-charging", keywords: "charging, charger" } } });
    await page.getByRole("button", { name: /Reach us now/ }).click();
    await expect(page.locator("reach-us-widget .ru-form .ru-promise")).toHaveText(/^Many reports right now\. /);
    await page.getByLabel("What happened?").fill("my charger is dead");
    await expect(page.getByRole("group", { name: "Is this about Charging outage in Berlin?" })).toBeVisible();
    await axe(page, `busy promise + incident offer (${theme})`);
    await site.close();
  }
  await new Promise((r) => track.close(r));
});
