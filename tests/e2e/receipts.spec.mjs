// Receipts the visitor can check later: kept in the browser, "Your reports" with the
// verdict from the brand's status endpoint (kept, overdue, endpoint down), the track
// record (or nothing when the endpoint fails), and the notice banner with its launcher dot.
import { test, expect } from "@playwright/test";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveDir, servePages, backend, hostPage } from "./servers.mjs";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let cdn;
test.beforeAll(async () => { cdn = await serveDir(DIST); });
test.afterAll(async () => { await cdn.close(); });
test.use({ timezoneId: "UTC", locale: "en-GB" });

/** A brand API: status per report id, track record and notice; `down` makes it fail. */
async function brandApi(state) {
  const server = http.createServer((req, res) => {
    const cors = { "access-control-allow-origin": "*", "content-type": "application/json" };
    const url = new URL(req.url, "http://x");
    if (state.down) { res.writeHead(503, cors).end("{}"); return; }
    const m = url.pathname.match(/^\/status\/(.+)$/);
    if (m) { res.writeHead(200, cors).end(JSON.stringify(state.status[m[1]] || { status: "received" })); return; }
    if (url.pathname === "/track") { res.writeHead(200, cors).end(JSON.stringify(state.track)); return; }
    if (url.pathname === "/notice") { res.writeHead(200, cors).end(JSON.stringify(state.notice)); return; }
    res.writeHead(404, cors).end("{}");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

function hostFor(api, brand, extra = {}) {
  const cfg = { endpoint: api.url, brand: "Acme", promise: { respond_within: "2h", status_url: `${brand.url}/status/{id}`, track_record_url: `${brand.url}/track` }, ...extra };
  return hostPage({ cdn: cdn.url, head: `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', ${JSON.stringify(cfg)});</script>` });
}

async function send(p, text) {
  await p.getByRole("button", { name: "Reach us now" }).click();
  await p.getByLabel("What happened?").fill(text);
  await p.getByLabel("Email").fill("a@example.com");
  await p.getByRole("button", { name: "Send" }).click();
  await expect(p.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
}

test("a receipt survives a reload; the verdict follows the clock and the brand's status", async ({ page }) => {
  const api = await backend();
  const state = { status: {}, track: { window_days: 30, kept_ratio: 0.97, median_reply_minutes: 38, total: 124 } };
  const brand = await brandApi(state);
  const site = await servePages({ "/": hostFor(api, brand), "/other": hostFor(api, brand) });
  await page.clock.setFixedTime(new Date("2026-11-23T09:00:00Z"));
  await page.goto(site.url + "/");
  await send(page, "Door will not open");
  const id = api.posts[0].body.id;
  const reference = api.posts[0].body.reference;
  // Another page, 77 minutes later: due in 43 minutes.
  await page.clock.setFixedTime(new Date("2026-11-23T10:17:00Z"));
  await page.goto(site.url + "/other");
  await page.getByRole("button", { name: "Reach us now" }).click();
  const reports = page.getByRole("region", { name: "Your reports" });
  await expect(reports.getByText(reference)).toBeVisible();
  await expect(reports.getByText("Reply due in 43 minutes", { exact: true })).toBeVisible();
  await expect(page.getByText("Kept 97% of reply promises in the last 30 days (median reply 38 minutes).")).toBeVisible();
  // 12 minutes past due, still no answer: overdue, with a follow-up.
  await page.clock.setFixedTime(new Date("2026-11-23T11:12:00Z"));
  await page.reload();
  await page.getByRole("button", { name: "Reach us now" }).click();
  await expect(reports.getByText("Overdue by 12 minutes. We're sorry.", { exact: true })).toBeVisible();
  await reports.getByRole("button", { name: "Follow up" }).click();
  await expect(page.getByLabel("What happened?")).toHaveValue(`Follow-up on ${reference}: `);
  // The team answers (late by then? no: answered at 10:48, inside the promise).
  state.status[id] = { status: "answered", answered_at: "2026-11-23T10:48:00Z", reply: "We have unlocked it remotely. <b>Try now</b>." };
  await page.reload();
  await page.getByRole("button", { name: "Reach us now" }).click();
  await expect(reports.getByText("Answered today 10:48: promise kept", { exact: true })).toBeVisible();
  await expect(reports.getByText("We have unlocked it remotely. <b>Try now</b>.")).toBeVisible();
  expect(await page.evaluate(() => JSON.parse(localStorage.getItem("reach-us:v1:receipts"))[0].status)).toBe("answered");
  await api.close(); await brand.close(); await site.close();
});

test("a report turning overdue while the dialog is open is announced once, politely", async ({ page }) => {
  const api = await backend();
  const brand = await brandApi({ status: {}, track: {} });
  const site = await servePages({ "/": hostFor(api, brand) });
  await page.clock.install({ time: new Date("2026-11-23T09:00:00Z") });
  await page.goto(site.url + "/");
  await send(page, "Door will not open");
  const reference = api.posts[0].body.reference;
  await page.getByRole("button", { name: "Report something else" }).click();
  const reports = page.getByRole("region", { name: "Your reports" });
  const live = reports.getByRole("status");
  await expect(reports.getByText("Reply due in 2 hours", { exact: true })).toBeVisible();
  await expect(live).toHaveText("");
  // The 30 s clock ticks on; the countdown changes without being read out...
  await page.clock.runFor(60 * 60_000);
  await expect(reports.getByText("Reply due in 60 minutes", { exact: true })).toBeVisible();
  await expect(live).toHaveText("");
  // ...until the promise is missed: that milestone is told, once, with the reference.
  await page.clock.runFor(61 * 60_000);
  await expect(reports.getByText("Overdue by 1 minute. We're sorry.", { exact: true })).toBeVisible();
  await expect(live).toHaveText(`${reference}: Overdue by 1 minute. We're sorry.`);
  // Closed and opened again: a fresh list, nothing left over to announce.
  await page.getByRole("button", { name: "Close" }).click();
  await page.getByRole("button", { name: "Reach us now" }).click();
  await expect(live).toHaveText("");
  await api.close(); await brand.close(); await site.close();
});

test("endpoints down: no track record, no guessed status, the countdown still honest", async ({ page }) => {
  const api = await backend();
  const state = { status: {}, track: {}, down: true };
  const brand = await brandApi(state);
  const site = await servePages({ "/": hostFor(api, brand) });
  await page.clock.setFixedTime(new Date("2026-11-23T09:00:00Z"));
  await page.goto(site.url + "/");
  await send(page, "Screen black");
  await page.clock.setFixedTime(new Date("2026-11-23T11:30:00Z"));
  await page.reload();
  await page.getByRole("button", { name: "Reach us now" }).click();
  await expect(page.getByText("Overdue by 30 minutes. We're sorry.", { exact: true })).toBeVisible();
  await expect(page.getByText(/Kept .* of reply promises/)).toHaveCount(0);
  await api.close(); await brand.close(); await site.close();
});

test("a notice: banner in the dialog, a dot on the launcher, flagged when its update is late", async ({ page }) => {
  const api = await backend();
  const state = { status: {}, track: {}, notice: { title: "Charging outage in Berlin", body: "We know, and we are on it.", updated_at: "2026-11-23T14:05:00Z", next_update_by: "2026-11-23T15:00:00Z" } };
  const brand = await brandApi(state);
  const site = await servePages({ "/": hostFor(api, brand, { notice_url: `${brand.url}/notice` }) });
  await page.clock.setFixedTime(new Date("2026-11-23T14:30:00Z"));
  await page.goto(site.url + "/");
  await page.getByRole("button", { name: "Reach us now" }).hover();
  await expect(page.getByRole("button", { name: "Reach us now (Service notice)" })).toBeVisible();
  await page.getByRole("button", { name: "Reach us now (Service notice)" }).click();
  const banner = page.getByRole("region", { name: "Charging outage in Berlin" });
  await expect(banner).toContainText("We know, and we are on it.");
  await expect(banner).toContainText("Updated today 14:05");
  await expect(banner).toContainText("Next update by today 15:00");
  await page.clock.setFixedTime(new Date("2026-11-23T15:20:00Z"));
  await page.reload();
  await page.getByRole("button", { name: "Reach us now" }).hover();
  await page.getByRole("button", { name: /Reach us now/ }).click();
  const late = page.getByText("Next update was due by today 15:00");
  await expect(late).toBeVisible();
  // Flagged, not only worded: bold, in the error colour.
  expect(await late.evaluate((e) => getComputedStyle(e).fontWeight)).toBe("700");
  expect(await late.evaluate((e) => getComputedStyle(e).color)).toBe("rgb(179, 38, 30)");
  await api.close(); await brand.close(); await site.close();
});
