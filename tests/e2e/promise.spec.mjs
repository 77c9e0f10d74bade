// The promise the visitor sees, with the clock fixed: business hours in the brand's zone,
// times in the visitor's, the urgent hotline, and no promise when the config can't back one.
import { test, expect } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveDir, servePages, backend, hostPage } from "./servers.mjs";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let cdn;
test.beforeAll(async () => { cdn = await serveDir(DIST); });
test.afterAll(async () => { await cdn.close(); });
// The visitor is in Paris; the brand in Shanghai.
test.use({ timezoneId: "Europe/Paris", locale: "en-GB" });

const config = (endpoint) => ({
  endpoint,
  brand: "Acme",
  promise: {
    respond_within: "2h",
    business_hours: { time_zone: "Asia/Shanghai", "mon-fri": "09:00-18:00", sat: "10:00-16:00" },
    holidays: ["2026-10-01", "2026-10-02"],
  },
  categories: [
    { id: "safety", label: { en: "Safety problem", "zh-CN": "安全问题" }, respond_within: "15m", business_hours: "24/7",
      urgent: { hotline: "+86 400 000 0000", text: { en: "Call us now" } } },
    { id: "order", label: { en: "Order or delivery" }, respond_within: "4h" },
  ],
});

async function open(page, cfg, at) {
  await page.clock.setFixedTime(new Date(at));
  const stub = `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', ${JSON.stringify(cfg)});</script>`;
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, head: stub }) });
  const log = { errors: [] };
  page.on("console", (m) => { if (m.type() === "error") log.errors.push(m.text()); });
  await page.goto(site.url + "/");
  await page.getByRole("button", { name: "Reach us now" }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  return { site, log };
}

test("Friday 17:30 in Shanghai, 2 business hours: due Monday 10:30 Beijing, shown in Paris time", async ({ page }) => {
  const api = await backend();
  const { site } = await open(page, config(api.url), "2026-11-27T09:30:00Z");
  await page.getByLabel("What is it about?").selectOption("order");
  const line = page.locator("reach-us-widget .ru-promise");
  // 4h of business time: 30 min on Friday, 3.5 h on Saturday from 10:00 -> Sat 13:30 Beijing = 06:30 Paris.
  await expect(line).toHaveAttribute("data-ru-due", "2026-11-28T05:30:00.000Z");
  await expect(line).toHaveText("We reply within 4 hours of business hours: by tomorrow 06:30 (your time).");
  await page.getByLabel("What happened?").fill("Wrong wheels delivered");
  await page.getByLabel("Email").fill("a@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  expect(api.posts[0].body.promise).toEqual({
    respond_within: "4h", respond_within_minutes: 240, business_hours: true, time_zone: "Asia/Shanghai", due_at: "2026-11-28T05:30:00.000Z",
  });
  await api.close(); await site.close();
});

test("while closed: when the team opens, in both zones, and the due time", async ({ page }) => {
  // Sunday 12:00 Beijing (05:00 Paris): closed until Monday 09:00 Beijing (02:00 Paris).
  const cfg = config("/r");
  cfg.categories = undefined;
  delete cfg.categories;
  const { site } = await open(page, cfg, "2026-11-29T04:00:00Z");
  const line = page.locator("reach-us-widget .ru-promise");
  await expect(line).toHaveAttribute("data-ru-due", "2026-11-30T03:00:00.000Z");
  await expect(line).toHaveText("Our team is offline now; we open at 09:00 GMT+8 (02:00 your time). We'll reply by tomorrow 04:00.");
  await site.close();
});

test("an urgent category shows the hotline at once, above a form that stays usable", async ({ page }) => {
  const { site } = await open(page, config("/r"), "2026-11-27T09:30:00Z");
  await page.getByLabel("What is it about?").selectOption("order");
  await expect(page.getByRole("link", { name: "+86 400 000 0000" })).toHaveCount(0);
  await page.getByLabel("What is it about?").selectOption("safety");
  const hotline = page.getByRole("link", { name: "+86 400 000 0000" });
  await expect(hotline).toBeVisible();
  await expect(hotline).toHaveAttribute("href", "tel:+864000000000");
  await expect(page.getByText("Call us now")).toBeVisible();
  // 15 minutes around the clock: 17:45 Beijing = 10:45 Paris.
  await expect(page.locator("reach-us-widget .ru-promise")).toHaveText("We reply within 15 minutes: by today 10:45 (your time).");
  await expect(page.getByLabel("What happened?")).toBeEditable();
  await site.close();
});

test("a promise the config cannot back is not made, and the console says why", async ({ page }) => {
  const cfg = config("/r");
  cfg.promise.business_hours.time_zone = "Mars/Olympus_Mons";
  delete cfg.categories;
  const { site, log } = await open(page, cfg, "2026-11-27T09:30:00Z");
  await expect(page.getByLabel("What happened?")).toBeVisible();
  await expect(page.locator("reach-us-widget .ru-promise")).toHaveCount(0);
  expect(log.errors.some((e) => e.includes("`promise.business_hours.time_zone`") && e.includes("Mars/Olympus_Mons"))).toBe(true);
  await site.close();
});

test("a category whose own promise cannot be backed promises nothing, not the brand's promise", async ({ page }) => {
  // "order" meant 3 days but says "3x"; "safety" names an unknown zone. Falling back to the
  // brand's 2 hours would promise what the brand never meant for them.
  const api = await backend();
  const cfg = config(api.url);
  cfg.categories = [
    { id: "order", label: "Order or delivery", respond_within: "3x" },
    { id: "safety", label: "Safety problem", respond_within: "15m", business_hours: { time_zone: "Mars/Olympus_Mons", "mon-sun": "00:00-24:00" } },
    { id: "other", label: "Something else" },
  ];
  const { site, log } = await open(page, cfg, "2026-11-27T03:30:00Z");
  const line = page.locator("reach-us-widget .ru-promise");
  const about = page.getByLabel("What is it about?");
  await about.selectOption("other");
  await expect(line).toHaveText(/^We reply within 2 hours of business hours: by today /);
  await about.selectOption("safety");
  await expect(line).toHaveCount(0);
  await about.selectOption("order");
  await expect(line).toHaveCount(0);
  expect(log.errors.some((e) => e.includes("`categories[0].respond_within`"))).toBe(true);
  expect(log.errors.some((e) => e.includes("`categories[1].business_hours.time_zone`") && e.includes("Mars/Olympus_Mons"))).toBe(true);
  await page.getByLabel("What happened?").fill("Where is my order?");
  await page.getByLabel("Email").fill("a@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  expect(api.posts[0].body.category).toBe("order");
  expect(api.posts[0].body.promise).toBeNull();
  await api.close(); await site.close();
});
