// Issue 20, the relay, from the real widget: a visitor sends a report on a German page in
// Berlin time; the reference inbox (release build) stores it and pushes it through its
// relay to the demo's local team chat (a signed webhook) and mailbox (aiosmtpd), both
// `scripts/demo-receivers.py` as `scripts/demo` runs them. Within seconds the report is in
// the team chat, the team's mail and the visitor's acknowledgement, which is in German and
// gives the due time the widget showed, in the visitor's zone; the team's answer follows
// by mail.
import { test, expect } from "@playwright/test";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import net from "node:net";
import { serveDir, servePages, hostPage } from "./servers.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "target/release/reach-us-inbox");
const TOKEN = "e2e-relay-token";
let cdn;
test.beforeAll(async () => {
  cdn = await serveDir(join(ROOT, "dist"));
  // Always (a no-op when current): an older release binary would have no relay.
  execFileSync("cargo", ["build", "--quiet", "--release", "-p", "reach-us-inbox"], { cwd: ROOT, stdio: "inherit" });
});
test.afterAll(async () => { await cdn.close(); });
test.use({ locale: "de-DE", timezoneId: "Europe/Berlin" });

const freePort = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });
const until = async (what, f, ms = 5000) => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

test("a report sent from the page reaches the team chat, the team's mail and the visitor's mailbox within seconds", async ({ page }) => {
  const [chatPort, smtpPort, inboxPort] = [await freePort(), await freePort(), await freePort()];
  const receivers = spawn("/usr/bin/python3", [join(ROOT, "scripts/demo-receivers.py")], {
    env: { ...process.env, DEMO_CHAT_PORT: String(chatPort), DEMO_SMTP_PORT: String(smtpPort), DEMO_HOOK_SECRET: "e2e-secret" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const chat = `http://127.0.0.1:${chatPort}`;
  const pages = {};
  const site = await servePages(pages);
  const dir = mkdtempSync(join(tmpdir(), "reach-us-relay-e2e-"));
  const promise = { respond_within: "2h" };
  writeFileSync(join(dir, "widget.json"), JSON.stringify({ promise }));
  const inbox = `http://127.0.0.1:${inboxPort}`;
  const child = spawn(BIN, [], {
    env: { ...process.env, INBOX_ADDR: `127.0.0.1:${inboxPort}`, INBOX_DB: join(dir, "inbox.sqlite3"), INBOX_ALLOW_ORIGINS: site.url,
      INBOX_WIDGET_CONFIG: join(dir, "widget.json"), INBOX_PUBLIC_URL: inbox,
      INBOX_ADMIN_TOKEN_SHA256: createHash("sha256").update(TOKEN).digest("hex"),
      INBOX_CHANNELS: "chat,mail", INBOX_CHANNEL_CHAT: `webhook ${chat}/hook`, INBOX_CHANNEL_CHAT_SECRET: "e2e-secret",
      INBOX_CHANNEL_MAIL: "email team@acme.example", INBOX_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      INBOX_MAIL_FROM: "Acme <support@acme.example>", INBOX_TEAM_TIME_ZONE: "Asia/Shanghai" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await until("the inbox and the receivers", async () => {
      try { return (await fetch(inbox + "/v1/notice")).ok && (await fetch(chat + "/")).ok; } catch { return false; }
    }, 20000);
    const cfg = { endpoint: `${inbox}/v1/reports`, brand: "Acme", promise, locale: "de" };
    pages["/"] = hostPage({ cdn: cdn.url, head: `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', ${JSON.stringify(cfg)});</script>` });
    await page.goto(site.url + "/");
    await page.getByRole("button", { name: /Jetzt|Reach/ }).first().click();
    await page.locator("textarea").first().fill("Die Fahrertür geht nicht auf <b>gar nicht</b>");
    await page.locator("#ru-email").fill("fahrer@example.com");
    await page.getByRole("button", { name: "Senden" }).click();
    const receipt = await until("the receipt", () => page.evaluate(() => JSON.parse(localStorage.getItem("reach-us:v1:receipts") || "[]")[0]));
    const sentAt = Date.now();

    const chatPage = await until("the team chat", async () => { const t = await (await fetch(chat + "/")).text(); return t.includes(receipt.reference) && t; });
    expect(chatPage).toContain("Die Fahrertür geht nicht auf &lt;b&gt;gar nicht&lt;/b&gt;");
    expect(chatPage).toContain("(Asia/Shanghai)");
    const mailbox = await until("the mailbox", async () => { const t = await (await fetch(chat + "/mail")).text(); return t.includes(`Wir haben Ihre Meldung ${receipt.reference} erhalten`) && t.includes("team@acme.example") && t; });
    const seconds = (Date.now() - sentAt) / 1000;
    console.log(`relay e2e: receipt shown → team chat and both mails in ${seconds.toFixed(2)} s (polled every 100 ms)`);
    // The due time the widget showed, in the visitor's zone.
    const berlin = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Berlin", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).format(new Date(receipt.due_at));
    expect(mailbox).toContain(`Wir antworten bis ${berlin} (Europe/Berlin).`);

    // The team answers; the reply reaches the visitor by mail.
    const r = await fetch(`${inbox}/v1/reports/${receipt.id}/status`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" }, body: JSON.stringify({ status: "answered", reply: "Wir haben sie aus der Ferne entriegelt." }) });
    expect(r.status).toBe(200);
    await until("the reply mail", async () => (await (await fetch(chat + "/mail")).text()).includes("Wir haben sie aus der Ferne entriegelt."));
  } finally {
    child.kill("SIGTERM"); receivers.kill("SIGTERM"); await site.close();
  }
});
