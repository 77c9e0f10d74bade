// Chaos: a flaky backend (503, 429 + Retry-After, hangs past the timeout, connection
// resets, accepted-then-reset, a permanent 400 for some reports), the browser going
// offline and back, a reload mid-retry and two tabs — and still every report arrives
// exactly once by key. Bounded: ~200 reports, one test, a hard deadline.
import { test, expect } from "@playwright/test";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveDir, servePages, hostPage, readOutbox } from "./servers.mjs";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "../../dist");
const REPORTS = Number(process.env.CHAOS_REPORTS || 200);

/** A deterministic pseudo-random sequence (the run is repeatable). */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function chaosServer() {
  const rand = rng(42);
  const accepted = new Map(); // key -> times accepted (must stay 1)
  const firstSeen = new Map();
  const doneAt = new Map();
  const attemptsByKey = new Map();
  // How each key's acceptance ended: "answered" (the 201 went out whole) or "lost" (stored,
  // then the connection was cut: the widget cannot know). The server cannot tell whether
  // the page read an answer that went out whole (a fetch already timed out, an offline
  // spell, a page unloading), so the first count is an upper bound on that window.
  const acceptedHow = new Map();
  const replays = []; // [key, ms] of every POST after the key's acceptance
  const resent = { answered: 0, lost: 0, which: [] }; // POSTs of a key after its acceptance, by that cause
  const stats = { posts: 0, replays: 0, c503: 0, c429: 0, hangs: 0, resets: 0, acceptedThenReset: 0, rejected: 0 };
  const server = http.createServer((req, res) => {
    const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type, idempotency-key", "access-control-allow-methods": "POST, OPTIONS", "access-control-expose-headers": "retry-after" };
    if (req.method === "OPTIONS") { res.writeHead(204, cors).end(); return; }
    let data = "";
    req.on("data", (c) => (data += c));
    req.on("end", () => {
      stats.posts++;
      const key = req.headers["idempotency-key"];
      const body = JSON.parse(data);
      if (!firstSeen.has(key)) firstSeen.set(key, Date.now());
      const n = (attemptsByKey.get(key) || 0) + 1;
      attemptsByKey.set(key, n);
      if (accepted.has(key)) { stats.replays++; replays.push([key, Date.now()]); resent[acceptedHow.get(key)]++; if (acceptedHow.get(key) === "answered") resent.which.push(body.message.replace("chaos report ", "#")); res.writeHead(200, { ...cors, "content-type": "application/json" }).end(JSON.stringify({ reference: body.reference })); return; }
      if (body.message.includes("#reject")) { stats.rejected++; res.writeHead(400, cors).end("{}"); return; }
      // A flaky backend that recovers: chaos on the first two attempts of a key.
      const r = n <= 2 ? rand() : 1;
      if (r < 0.2) { stats.c503++; res.writeHead(503, cors).end(); return; }
      if (r < 0.3) { stats.c429++; res.writeHead(429, { ...cors, "retry-after": "1" }).end(); return; }
      if (r < 0.35) { stats.hangs++; return; } // never answers: the client's timeout fires
      if (r < 0.4) { stats.resets++; req.socket.destroy(); return; }
      accepted.set(key, (accepted.get(key) || 0) + 1);
      doneAt.set(key, Date.now());
      if (r < 0.45) { stats.acceptedThenReset++; acceptedHow.set(key, "lost"); req.socket.destroy(); return; } // stored, answer lost
      acceptedHow.set(key, "answered");
      res.writeHead(201, { ...cors, "content-type": "application/json" }).end(JSON.stringify({ reference: body.reference }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}/r`, accepted, firstSeen, doneAt, stats, resent, replays, close: () => { server.closeAllConnections(); return new Promise((r) => server.close(r)); } };
}

test("chaos: every report exactly once by key", async ({ browser }) => {
  test.setTimeout(240_000);
  const cdn = await serveDir(DIST);
  const api = await chaosServer();
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, attrs: { endpoint: api.url, "timeout-ms": "1500", brand: "Chaos" } }) });
  const context = await browser.newContext();
  const tabs = [await context.newPage(), await context.newPage()];
  const problems = [];
  const stalled = [];
  // In each tab, what the page itself read: a 2xx answer to a POST, by Idempotency-Key,
  // kept in sessionStorage so it survives the reload.
  await context.addInitScript(() => {
    const orig = window.fetch;
    window.fetch = function (input, init) {
      const p = orig.apply(this, arguments);
      try {
        const key = init && init.headers && init.headers.get && init.headers.get("idempotency-key");
        if (key) p.then((r) => {
          if (!r.ok) return;
          const seen = JSON.parse(sessionStorage.getItem("chaos-seen") || "[]");
          seen.push([key, Date.now()]);
          sessionStorage.setItem("chaos-seen", JSON.stringify(seen));
        }, () => {});
      } catch { /* never in the widget's way */ }
      return p;
    };
  });
  for (const [n, t] of tabs.entries()) {
    t.on("pageerror", (e) => problems.push(`tab ${n}: ${e}`));
    t.on("console", (m) => { if (m.type() === "error" && !m.text().includes("Failed to load resource") && !m.text().includes("net::")) problems.push(`tab ${n}: ${m.text()}`); });
    await t.emulateMedia({ reducedMotion: "reduce" });
    await t.goto(site.url + "/");
  }
  const created = [];
  const started = Date.now();
  const rejectedShown = [];
  for (let i = 0; i < REPORTS; i++) {
    const tab = tabs[i % 2];
    await tab.bringToFront(); // a background tab gets no animation frames: actions would stall
    const reject = i % 23 === 7;
    if (i === 60) await context.setOffline(true);
    if (i === 75) await context.setOffline(false);
    if (i === 120) { await tab.reload(); } // mid-retry: this tab's pending reports resume from storage
    // CSS locators here (role queries are checked elsewhere): 200 rounds must be quick.
    const w = tab.locator("reach-us-widget");
    if (!(await w.locator(".ru-dialog").isVisible())) await w.locator(".ru-launcher").click();
    const again = w.locator(".ru-receipt .ru-secondary");
    if (await again.isVisible()) await again.click();
    const text = `chaos report ${i}${reject ? " #reject" : ""}`;
    await w.locator("#ru-message").fill(text);
    await w.locator("#ru-email").fill(`c${i}@example.com`);
    await w.locator(".ru-send").click();
    const t0 = Date.now();
    // One wait for whichever state the visitor is shown first.
    const shown = tab.locator("reach-us-widget").locator(".ru-receipt:not(.ru-queued), .ru-queued-text, [role=alert]").first();
    let outcome = "stalled";
    try {
      await shown.waitFor({ timeout: 20_000 });
      outcome = await shown.evaluate((el) => (el.matches("[role=alert]") ? "refused" : el.matches(".ru-queued-text") ? "queued" : "sent"));
    } catch {
      // The visitor is shown no outcome in time. The one cause found (2026-11-24): the
      // other tab's `online` handler rewrote the outbox list from its not-yet-synced copy
      // of localStorage, dropping this report — fixed by one key per report, and then the
      // acceptance count below failed too. Record what the widget showed; the count is
      // printed and bounded, and the delivery invariants below still hold.
      const snap = await tab.evaluate(() => {
        const r = document.querySelector("reach-us-widget");
        return r ? (r.shadowRoot.querySelector(".ru-dialog") || r.shadowRoot).textContent.slice(0, 200) : "no widget";
      });
      stalled.push(`report ${i}: ${snap}`);
      await tab.reload();
    }
    created.push({ text, reject });
    if (process.env.CHAOS_DEBUG) console.log(i, outcome, Date.now() - t0, "ms", Date.now() - started, "ms since start");
    if (reject && outcome !== "stalled") {
      expect(outcome).toBe("refused");
      rejectedShown.push(text);
      await w.locator("#ru-message").fill(""); // the visitor moves on
    }
  }
  // Let the outboxes drain (bounded).
  const expected = created.filter((c) => !c.reject).length;
  const deadline = Date.now() + 90_000;
  while (api.accepted.size < expected && Date.now() < deadline) {
    await tabs[0].waitForTimeout(500);
  }
  const pending = (await readOutbox(tabs[0])).filter((e) => e.state === "pending").length;
  const maxDelay = Math.max(...[...api.doneAt].map(([k, t]) => t - api.firstSeen.get(k)));
  const twice = [...api.accepted.values()].filter((n) => n > 1).length;
  console.log(`chaos: ${created.length} reports (${rejectedShown.length} refused by design), ${api.stats.posts} attempts, ` +
    `${api.accepted.size} accepted, ${twice} accepted twice, ${api.stats.replays} duplicates suppressed (replayed), ` +
    `503×${api.stats.c503} 429×${api.stats.c429} hang×${api.stats.hangs} reset×${api.stats.resets} accepted-then-reset×${api.stats.acceptedThenReset}, ` +
    `max delay to acceptance ${maxDelay} ms, still pending ${pending}, UI stalls ${stalled.length}`);
  // Resends after the page itself had read a 2xx for that key: must be none.
  const seen = new Map();
  for (const t of tabs) for (const [k, at] of await t.evaluate(() => JSON.parse(sessionStorage.getItem("chaos-seen") || "[]"))) if (!seen.has(k) || at < seen.get(k)) seen.set(k, at);
  const afterSeen = api.replays.filter(([k, at]) => seen.has(k) && seen.get(k) < at).length;
  console.log(`chaos: resent after the page had read the 2xx: ${afterSeen} (2xx answers read by the pages: ${seen.size})`);
  console.log(`chaos: resent after acceptance: ${api.resent.answered + api.resent.lost} ` +
    `(after a 2xx the server sent whole, which the page may still not have read — its own timeout had fired, it was offline, or it was unloading: ${api.resent.answered}; after an acceptance whose answer the server cut: ${api.resent.lost})` +
    (api.resent.which.length ? `; the former for reports ${api.resent.which.join(", ")} (offline from #60 to #75, reload at #120)` : ""));
  if (stalled.length) console.log("chaos: stalled:", stalled.join(" | "));
  if (problems.length) console.log("chaos: page problems:", problems.join(" | "));
  expect(twice).toBe(0);
  expect(seen.size).toBeGreaterThan(REPORTS / 2); // the probe saw the page's answers
  expect(afterSeen).toBe(0);
  expect(api.accepted.size).toBe(expected);
  expect(pending).toBe(0);
  // Every refused report was shown as refused, unless its tab stalled (counted above).
  expect(rejectedShown.length + stalled.length).toBeGreaterThanOrEqual(created.filter((c) => c.reject).length);
  expect(stalled.length).toBeLessThanOrEqual(2);
  await context.close();
  await api.close(); await cdn.close(); await site.close();
});
