// The whole loop against the real reference inbox (a release build of inbox/, started here
// on a free loopback port with a fresh SQLite file): the widget sends a report, the inbox
// stores it and computes the due time, the team answers, and the visitor's "Your reports"
// shows the verdict — and the inbox's notice and track record reach the widget.
import { test, expect } from "@playwright/test";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
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
  if (!existsSync(BIN)) execFileSync("cargo", ["build", "--quiet", "--release", "-p", "reach-us-inbox"], { cwd: ROOT, stdio: "inherit" });
});
test.afterAll(async () => { await cdn.close(); });

const freePort = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });

async function startInbox(origin, widgetConfig) {
  const dir = mkdtempSync(join(tmpdir(), "reach-us-inbox-e2e-"));
  writeFileSync(join(dir, "widget.json"), JSON.stringify(widgetConfig));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, [], {
    env: { ...process.env, INBOX_ADDR: `127.0.0.1:${port}`, INBOX_DB: join(dir, "inbox.sqlite3"), INBOX_ALLOW_ORIGINS: origin, INBOX_WIDGET_CONFIG: join(dir, "widget.json"),
      INBOX_ADMIN_TOKEN_SHA256: createHash("sha256").update(TOKEN).digest("hex"), INBOX_PUBLIC_URL: url },
    stdio: ["ignore", "ignore", "inherit"],
  });
  for (let i = 0; i < 200; i++) {
    try { await fetch(url + "/v1/notice"); break; } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  const admin = (method, path, body) => fetch(url + path, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: body && JSON.stringify(body) });
  return { url, admin, close: () => child.kill("SIGTERM") };
}

test("report → stored by the inbox → answered by the team → 'promise kept' in the widget, with the inbox's notice and track record", async ({ page }) => {
  const pages = {};
  const site = await servePages(pages);
  const promise = { respond_within: "2h" };
  const inbox = await startInbox(site.url, { promise });
  const cfg = {
    endpoint: `${inbox.url}/v1/reports`, brand: "Acme",
    promise: { ...promise, status_url: `${inbox.url}/v1/reports/{id}/status`, track_record_url: `${inbox.url}/v1/track-record` },
    notice_url: `${inbox.url}/v1/notice`,
  };
  pages["/"] = hostPage({ cdn: cdn.url, head: `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', ${JSON.stringify(cfg)});</script>` });
  expect((await inbox.admin("PUT", "/v1/notice", { title: "Charging outage in Berlin", body: "We know, and we are on it." })).status).toBe(204);

  await page.goto(site.url + "/");
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await expect(page.getByRole("region", { name: "Charging outage in Berlin" })).toContainText("We know, and we are on it.");
  await page.getByLabel("What happened?").fill("Door will not open <b>at all</b>");
  await page.getByLabel("Email").fill("driver@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();

  // Stored, with the due time the shared engine computed: the same as the widget's.
  const list = await (await inbox.admin("GET", "/v1/reports")).json();
  expect(list).toHaveLength(1);
  const stored = list[0];
  expect(stored.message).toBe("Door will not open <b>at all</b>");
  const sent = await page.evaluate(() => JSON.parse(localStorage.getItem("reach-us:v1:receipts"))[0]);
  expect(sent.id).toBe(stored.id);
  expect(Date.parse(stored.due_at)).toBe(Date.parse(sent.due_at));
  await expect(page.getByText(stored.reference, { exact: true })).toBeVisible();

  // The team answers in time.
  const answered = await inbox.admin("POST", `/v1/reports/${stored.id}/status`, { status: "answered", reply: "We unlocked it remotely. Try now." });
  expect(answered.status).toBe(200);
  await page.reload();
  await page.getByRole("button", { name: /Reach us now/ }).click();
  const reports = page.getByRole("region", { name: "Your reports" });
  await expect(reports.getByText(/^Answered .*: promise kept$/)).toBeVisible();
  await expect(reports.getByText("We unlocked it remotely. Try now.")).toBeVisible();
  await expect(page.getByText(/^Kept 100% of reply promises in the last 30 days/)).toBeVisible();
  inbox.close(); await site.close();
});
