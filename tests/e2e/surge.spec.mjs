// Issue 21 against the real reference inbox (a release build of inbox/, started here on a
// free loopback port with a fresh SQLite file): with a backlog above what the team's
// capacity can answer within the configured promise, the widget shows the widened promise
// and the receipt's due time equals the one the inbox stored; unreachable, the configured
// promise stands; a known incident matched by what the visitor types files a linked report
// in one tap, and the team's update reaches it.
import { test, expect } from "@playwright/test";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createHash, randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import net from "node:net";
import { serveDir, servePages, hostPage } from "./servers.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "target/release/reach-us-inbox");
const TOKEN = "e2e-admin-token";
let cdn;
test.beforeAll(async () => {
  cdn = await serveDir(join(ROOT, "dist"));
  // Always (a no-op when fresh): a stale inbox binary would test yesterday's inbox.
  execFileSync("cargo", ["build", "--quiet", "--release", "-p", "reach-us-inbox"], { cwd: ROOT, stdio: "inherit" });
});
test.afterAll(async () => { await cdn.close(); });

const freePort = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });

async function startInbox(origin, widgetConfig, env = {}) {
  const dir = mkdtempSync(join(tmpdir(), "reach-us-surge-e2e-"));
  writeFileSync(join(dir, "widget.json"), JSON.stringify(widgetConfig));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, [], {
    env: { ...process.env, INBOX_ADDR: `127.0.0.1:${port}`, INBOX_DB: join(dir, "inbox.sqlite3"), INBOX_ALLOW_ORIGINS: origin, INBOX_WIDGET_CONFIG: join(dir, "widget.json"),
      INBOX_ADMIN_TOKEN_SHA256: createHash("sha256").update(TOKEN).digest("hex"), INBOX_PUBLIC_URL: url, INBOX_RATE_PER_MIN: "0", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 200; i++) {
    try { await fetch(url + "/v1/notice"); break; } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  const admin = (method, path, body) => fetch(url + path, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: body && JSON.stringify(body) });
  /** A report posted as another visitor's widget would. */
  const post = async (n) => {
    const id = randomUUID();
    const body = { schema: "reach-us/v1", id, reference: `LOAD-${n}`, created_at: new Date().toISOString(), category: "problem", message: `Report ${n}`,
      contact: { email: "x@example.com" }, promise: null, page: { url: "/", title: "", referrer: "" }, locale: "en", timezone: "UTC", client: { widget_version: "0" } };
    const r = await fetch(url + "/v1/reports", { method: "POST", headers: { "content-type": "application/json", "idempotency-key": id }, body: JSON.stringify(body) });
    expect(r.status).toBe(201);
    return r.json();
  };
  return { url, admin, post, close: () => child.kill("SIGTERM") };
}

const stub = (cfg) => `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', ${JSON.stringify(cfg)});</script>`;

test("a backlog above capacity: the widget shows the widened promise, and the receipt's due time is the inbox's", async ({ page }) => {
  const pages = {};
  const site = await servePages(pages);
  const promise = { respond_within: "2h" };
  const inbox = await startInbox(site.url, { promise, categories: [{ id: "problem", label: "Problem" }] }, { INBOX_CAPACITY_PER_HOUR: "6" });
  // 40 open reports at 6 answers an hour: (40 + 2) / 6 h · 1.2 = 8 h 24 min → 9 hours.
  for (let n = 0; n < 40; n++) await inbox.post(n);
  const published = await (await fetch(inbox.url + "/v1/track-record")).json();
  expect(published.surge).toEqual({ problem: 540 });
  const cfg = { endpoint: `${inbox.url}/v1/reports`, brand: "Acme", categories: [{ id: "problem", label: "Problem" }],
    promise: { ...promise, status_url: `${inbox.url}/v1/reports/{id}/status`, track_record_url: `${inbox.url}/v1/track-record` } };
  pages["/"] = hostPage({ cdn: cdn.url, head: stub(cfg) });
  const trackReads = [];
  page.on("request", (r) => { if (r.url().includes("/v1/track-record")) trackReads.push(r.url()); });

  await page.goto(site.url + "/");
  await page.getByRole("button", { name: /Reach us now/ }).click();
  const line = page.locator("reach-us-widget .ru-form .ru-promise");
  await expect(line).toHaveText(/^Many reports right now\. We reply within 9 hours: by .+ \(your time\)\.$/);
  await expect(line).toHaveAttribute("data-ru-busy", "");
  expect(trackReads.length, "read once, on load: the open made no extra request").toBe(1);
  const shownDue = Date.parse(await line.getAttribute("data-ru-due"));

  await page.getByLabel("What happened?").fill("The app shows my car offline");
  await page.getByLabel("Email").fill("driver@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  const receiptLine = page.locator("reach-us-widget .ru-receipt .ru-promise");
  await expect(receiptLine).toHaveText(/^We reply within 9 hours: by /);

  // The inbox stored the promise it made; the receipt shows the same instant, to the ms.
  const sent = await page.evaluate(() => JSON.parse(localStorage.getItem("reach-us:v1:receipts"))[0]);
  const stored = (await (await inbox.admin("GET", "/v1/reports?limit=1")).json())[0];
  expect(stored.id).toBe(sent.id);
  const storedDue = Date.parse(stored.due_at);
  expect(Date.parse(await receiptLine.getAttribute("data-ru-due"))).toBe(storedDue);
  expect(Date.parse(sent.due_at)).toBe(storedDue);
  expect(storedDue - Date.parse(stored.created_at)).toBe(9 * 3600_000);
  expect(Math.abs(storedDue - shownDue)).toBeLessThan(120_000); // shown before Send, a moment earlier

  // The backlog clears: the next open (a minute later) promises the configured 2 hours.
  const list = await (await inbox.admin("GET", "/v1/reports")).json();
  for (const r of list) expect((await inbox.admin("POST", `/v1/reports/${r.id}/status`, { status: "answered" })).status).toBe(200);
  await page.reload();
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await expect(line).toHaveText(/^We reply within 2 hours: by /);
  inbox.close(); await site.close();
});

test("the live promise in German, and the configured promise when the endpoint is unreachable", async ({ page }) => {
  const pages = {};
  const site = await servePages(pages);
  const inbox = await startInbox(site.url, { promise: { respond_within: "2h" }, categories: [{ id: "problem", label: "Problem" }] }, { INBOX_CAPACITY_PER_HOUR: "6" });
  for (let n = 0; n < 40; n++) await inbox.post(n);
  const cfg = (track) => ({ endpoint: `${inbox.url}/v1/reports`, locale: "de", categories: [{ id: "problem", label: "Problem" }], promise: { respond_within: "2h", track_record_url: track } });
  pages["/"] = hostPage({ cdn: cdn.url, lang: "de", head: stub(cfg(`${inbox.url}/v1/track-record`)) });
  const dead = `http://127.0.0.1:${await freePort()}/v1/track-record`;
  pages["/dead"] = hostPage({ cdn: cdn.url, head: stub({ ...cfg(dead), locale: "en" }) });

  await page.goto(site.url + "/");
  await page.getByRole("button", { name: /Jetzt Kontakt aufnehmen/ }).click();
  const line = page.locator("reach-us-widget .ru-form .ru-promise");
  await expect(line).toHaveText(/^Gerade erreichen uns viele Meldungen\. .*9 Stunden/);

  await page.goto(site.url + "/dead");
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await expect(line).toHaveText(/^We reply within 2 hours: by .+ \(your time\)\.$/);
  await expect(line).not.toHaveAttribute("data-ru-busy", "");
  inbox.close(); await site.close();
});

test("a known incident: matched in the browser, 'Yes, same problem' files a linked report in one tap, and the team's update reaches it", async ({ page }) => {
  const pages = {};
  const site = await servePages(pages);
  const inbox = await startInbox(site.url, { promise: { respond_within: "2h" }, categories: [{ id: "problem", label: "Problem" }, { id: "order", label: "Order" }] });
  expect((await inbox.admin("PUT", "/v1/notice", { id: "berlin-charging", title: "Charging outage in Berlin", body: "We know, and we are on it.",
    keywords: { en: "charging, charger", de: "Laden, Ladesäule" } })).status).toBe(204);
  const cfg = { endpoint: `${inbox.url}/v1/reports`, brand: "Acme", categories: [{ id: "problem", label: "Problem" }, { id: "order", label: "Order" }],
    promise: { respond_within: "2h", status_url: `${inbox.url}/v1/reports/{id}/status`, track_record_url: `${inbox.url}/v1/track-record` },
    notice_url: `${inbox.url}/v1/notice` };
  pages["/"] = hostPage({ cdn: cdn.url, head: stub(cfg) });
  const sentBodies = [];
  page.on("request", (r) => { if (r.method() !== "GET") sentBodies.push(r.postData() || ""); });

  await page.goto(site.url + "/");
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await page.getByLabel("What happened?").fill("My car is not ");
  await expect(page.getByText("Is this about Charging outage in Berlin?")).toHaveCount(0);
  await page.getByLabel("What happened?").fill("My car is not CHARGING at Alexanderplatz");
  const offer = page.getByRole("group", { name: "Is this about Charging outage in Berlin?" });
  await expect(offer).toBeVisible();
  expect(sentBodies.filter((b) => b.includes("Alexanderplatz")), "nothing typed left the browser before the tap").toHaveLength(0);
  // "No" puts it away; a new report brings it back.
  await offer.getByRole("button", { name: "No, something else" }).click();
  await expect(offer).toHaveCount(0);
  await page.reload();
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await page.getByLabel("What happened?").fill("the charger says error 42");
  // No contact given: optional for a linked report.
  await offer.getByRole("button", { name: "Yes, same problem" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();

  const incidents = await (await inbox.admin("GET", "/v1/incidents")).json();
  expect(incidents).toEqual([{ id: "berlin-charging", linked: 1, open: 1, updates: 0 }]);
  const stored = (await (await inbox.admin("GET", "/v1/reports")).json())[0];
  expect(stored.message).toBe("Same problem: Charging outage in Berlin\nthe charger says error 42");

  // The team posts one update to everyone linked; the visitor reads it in "Your reports".
  const r = await inbox.admin("POST", "/v1/incidents/berlin-charging/updates", { text: "Fixed at 15:10: the chargers work again." });
  expect(await r.json()).toEqual({ incident: "berlin-charging", linked: 1, answered: 1 });
  await page.reload();
  await page.getByRole("button", { name: /Reach us now/ }).click();
  const reports = page.getByRole("region", { name: "Your reports" });
  await expect(reports.getByText(/^Answered .*: promise kept$/)).toBeVisible();
  await expect(reports.getByText("Fixed at 15:10: the chargers work again.")).toBeVisible();
  inbox.close(); await site.close();
});
