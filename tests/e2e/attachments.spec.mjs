// Attachments (issue 22): pick, drop and paste; a photo with GPS EXIF arrives re-encoded,
// without any metadata, upright and below the size limit; a PDF is known by its bytes;
// limits are told; offline + reload + back online delivers the report and its files
// exactly once (from IndexedDB); lost files are delivered as a note; the admin page shows
// the thumbnail; every state is axe-clean; a 12-megapixel photo at 4× CPU throttling is
// timed. Every test image is made here (a canvas, then an EXIF block built by hand and
// spliced in): no binary fixtures.
import { test, expect } from "@playwright/test";
import http from "node:http";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync, readdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import net from "node:net";
import { serveDir, servePages, hostPage, readOutbox } from "./servers.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "target/release/reach-us-inbox");
const TOKEN = "e2e-admin-token";
let cdn;
test.beforeAll(async () => {
  cdn = await serveDir(join(ROOT, "dist"));
});
test.afterAll(async () => { await cdn.close(); });

// ---- test images -------------------------------------------------------------------------

/** A JPEG or PNG drawn by the browser (gradients and noise, so it does not compress away). */
async function drawn(page, w, h, type = "image/jpeg") {
  const b64 = await page.evaluate(async ([w, h, type]) => {
    const c = new OffscreenCanvas(w, h);
    const g = c.getContext("2d");
    const grad = g.createLinearGradient(0, 0, w, h);
    grad.addColorStop(0, "#c33"); grad.addColorStop(1, "#33c");
    g.fillStyle = grad; g.fillRect(0, 0, w, h);
    const img = g.getImageData(0, 0, w, h);
    let s = 7;
    for (let i = 0; i < img.data.length; i += 4) { s = (s * 1103515245 + 12345) >>> 0; img.data[i + 1] = s >>> 24; }
    g.putImageData(img, 0, 0);
    g.fillStyle = "#fff"; g.fillRect(0, 0, w / 4, h / 8); // a mark in the top-left corner
    const blob = await c.convertToBlob({ type, quality: 0.92 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let bin = ""; for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(bin);
  }, [w, h, type]);
  return Buffer.from(b64, "base64");
}

/** An EXIF APP1 segment, built by hand: IFD0 with ImageDescription, Orientation and a GPS IFD
 *  (latitude 52°31'12.34" N, longitude 13°24'56.78" E). */
function exifSegment(orientation = 1) {
  const entries0 = [], gps = [], data = [];
  const tiff = Buffer.alloc(4096);
  let p = 8;
  tiff.write("MM\0\x2a", 0, "binary"); tiff.writeUInt32BE(8, 4);
  const desc = Buffer.from("GPS test photo, Berlin\0", "binary");
  const ifd = (list, at) => { // count, entries, next = 0; returns the end
    tiff.writeUInt16BE(list.length, at); let q = at + 2;
    for (const [tag, type, count, value] of list) {
      tiff.writeUInt16BE(tag, q); tiff.writeUInt16BE(type, q + 2); tiff.writeUInt32BE(count, q + 4);
      if (Buffer.isBuffer(value)) value.copy(tiff, q + 8); else tiff.writeUInt32BE(value, q + 8);
      q += 12;
    }
    tiff.writeUInt32BE(0, q); return q + 4;
  };
  // Layout: IFD0 (3 entries) at 8, GPS IFD (5 entries) after it, then the data area.
  const ifd0End = 8 + 2 + 3 * 12 + 4;
  const gpsEnd = ifd0End + 2 + 5 * 12 + 4;
  let d = gpsEnd;
  const put = (buf) => { const at = d; buf.copy(tiff, at); d += buf.length + (buf.length % 2); return at; };
  const rationals = (list) => { const b = Buffer.alloc(list.length * 8); list.forEach(([n, m], i) => { b.writeUInt32BE(n, i * 8); b.writeUInt32BE(m, i * 8 + 4); }); return b; };
  const descAt = put(desc);
  const latAt = put(rationals([[52, 1], [31, 1], [1234, 100]]));
  const lonAt = put(rationals([[13, 1], [24, 1], [5678, 100]]));
  const short = (v) => { const b = Buffer.alloc(4); b.writeUInt16BE(v, 0); return b; };
  ifd([[0x010e, 2, desc.length, descAt], [0x0112, 3, 1, short(orientation)], [0x8825, 4, 1, ifd0End]], 8);
  ifd([[0x0000, 1, 4, Buffer.from([2, 2, 0, 0])], [0x0001, 2, 2, Buffer.from("N\0\0\0", "binary")], [0x0002, 5, 3, latAt],
       [0x0003, 2, 2, Buffer.from("E\0\0\0", "binary")], [0x0004, 5, 3, lonAt]], ifd0End);
  const body = Buffer.concat([Buffer.from("Exif\0\0", "binary"), tiff.subarray(0, d)]);
  const head = Buffer.from([0xff, 0xe1, 0, 0]); head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/** A JPEG with the EXIF block spliced in right after SOI. */
const withExif = (jpeg, orientation) => Buffer.concat([jpeg.subarray(0, 2), exifSegment(orientation), jpeg.subarray(2)]);

/** Width and height from a JPEG's SOF marker. */
function jpegSize(b) {
  let i = 2;
  while (i < b.length) {
    const marker = b[i + 1], len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) return { h: b.readUInt16BE(i + 5), w: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}

// ---- a backend that reads multipart ------------------------------------------------------

function parseMultipart(buf, contentType) {
  const boundary = Buffer.from("--" + /boundary=(.+)$/.exec(contentType)[1]);
  const parts = [];
  let i = buf.indexOf(boundary) + boundary.length;
  while (buf.subarray(i, i + 2).toString() !== "--") {
    i += 2;
    const headEnd = buf.indexOf("\r\n\r\n", i);
    const head = buf.subarray(i, headEnd).toString();
    const next = buf.indexOf(boundary, headEnd + 4);
    parts.push({
      name: /name="([^"]*)"/.exec(head)[1],
      filename: (/filename="([^"]*)"/.exec(head) || [])[1],
      type: (/content-type: *([^\r\n]+)/i.exec(head) || [])[1],
      data: buf.subarray(headEnd + 4, next - 2),
    });
    i = next + boundary.length;
  }
  return parts;
}

async function recorder() {
  const posts = [];
  const server = http.createServer((req, res) => {
    const cors = { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type, idempotency-key", "access-control-allow-methods": "POST, OPTIONS" };
    if (req.method === "OPTIONS") { res.writeHead(204, cors).end(); return; }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const ct = req.headers["content-type"] || "";
      const parts = ct.startsWith("multipart/form-data") ? parseMultipart(raw, ct) : null;
      const report = parts ? JSON.parse(parts[0].data.toString())
        : ct.includes("urlencoded") ? Object.fromEntries(new URLSearchParams(raw.toString())) : JSON.parse(raw.toString());
      posts.push({ key: req.headers["idempotency-key"], ct, raw, parts, report });
      res.writeHead(201, { ...cors, "content-type": "application/json" }).end(JSON.stringify({ reference: report.reference }));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}/r`, posts, close: () => { server.closeAllConnections(); return new Promise((r) => server.close(r)); } };
}

async function open(page, endpoint, extra = {}) {
  const cfg = { endpoint, brand: "Acme", ...extra };
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, head: `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', ${JSON.stringify(cfg)});</script>` }) });
  await page.goto(site.url + "/");
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await expect(page.getByLabel("What happened?")).toBeFocused();
  return site;
}

async function axe(page, state) {
  await page.addScriptTag({ path: AXE });
  const r = await page.evaluate(() => window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } }));
  expect(r.violations.map((x) => `${x.id}: ${x.nodes.map((n) => n.target.join(" ")).join(", ")}`), state).toEqual([]);
}

/** Dispatch a `paste` (target: the message box) or a `drop` (target: the form) carrying files. */
async function deliverFiles(page, kind, files) {
  await page.evaluate(([kind, files]) => {
    const root = document.querySelector("reach-us-widget").shadowRoot;
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    const init = { bubbles: true, cancelable: true, composed: true };
    if (kind === "paste") root.querySelector("#ru-message").dispatchEvent(new ClipboardEvent("paste", { ...init, clipboardData: dt }));
    else root.querySelector("form").dispatchEvent(new DragEvent("drop", { ...init, dataTransfer: dt }));
  }, [kind, files.map((f) => ({ name: f.name, type: f.type, b64: f.buffer.toString("base64") }))]);
}

const remove = (page, name) => page.getByRole("button", { name: `Remove ${name}` });

// ---- tests -------------------------------------------------------------------------------

test("pick, drop and paste: photos re-encoded without EXIF/GPS, upright and small; PDF by its bytes; limits told; axe-clean", async ({ page }) => {
  const api = await recorder();
  const site = await open(page, api.url);
  await axe(page, "form with the attachments fieldset");

  // Picked: a landscape photo stored sideways (EXIF Orientation 6) with GPS.
  const photo = withExif(await drawn(page, 800, 400), 6);
  expect(photo.includes("Exif")).toBe(true);
  expect(photo.includes("GPS")).toBe(true);
  await page.getByLabel("Add a photo or file").setInputFiles({ name: "IMG_0001.JPG", mimeType: "image/jpeg", buffer: photo });
  await expect(remove(page, "IMG_0001.jpg")).toBeVisible();
  // Dropped: a screenshot PNG.
  const png = await drawn(page, 1200, 700, "image/png");
  await deliverFiles(page, "drop", [{ name: "screenshot.png", type: "image/png", buffer: png }]);
  await expect(remove(page, "screenshot.jpg")).toBeVisible();
  // Pasted: a PDF whose name says otherwise (known by its bytes).
  const pdf = Buffer.from("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
  await deliverFiles(page, "paste", [{ name: "manual.txt", type: "text/plain", buffer: pdf }]);
  await expect(remove(page, "manual.txt")).toBeVisible();
  await expect(page.locator("reach-us-widget").getByText("PDF", { exact: true })).toBeVisible();
  // A fourth: the limit is told, nothing is added.
  await deliverFiles(page, "drop", [{ name: "more.png", type: "image/png", buffer: png }]);
  await expect(page.getByRole("alert")).toHaveText("You can attach at most 3 files.");
  await axe(page, "three files attached, the count limit told");
  // Remove one; something that is neither an image nor a PDF is refused by its content.
  await remove(page, "manual.txt").click();
  await deliverFiles(page, "paste", [{ name: "photo.jpg", type: "image/jpeg", buffer: Buffer.from("<html><script>alert(1)</script></html>") }]);
  await expect(page.getByRole("alert")).toHaveText("photo.jpg is not an image or a PDF.");
  await deliverFiles(page, "paste", [{ name: "manual.pdf", type: "application/pdf", buffer: pdf }]);
  await expect(remove(page, "manual.pdf")).toBeVisible();
  // A paste of plain text stays a text paste.
  await page.getByLabel("What happened?").fill("The car's screen shows an error");
  await page.getByLabel("Email").fill("driver@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();

  expect(api.posts).toHaveLength(1);
  const post = api.posts[0];
  expect(post.ct).toMatch(/^multipart\/form-data; boundary=/);
  expect(post.parts.map((p) => p.name)).toEqual(["report", "file", "file", "file"]);
  expect(post.report.schema).toBe("reach-us/v1");
  expect(post.report.attachments.map((a) => [a.name, a.type])).toEqual([["IMG_0001.jpg", "image/jpeg"], ["screenshot.jpg", "image/jpeg"], ["manual.pdf", "application/pdf"]]);
  const [jpg, shot, sentPdf] = post.parts.slice(1);
  expect(post.report.attachments.map((a) => a.size)).toEqual([jpg.data.length, shot.data.length, sentPdf.data.length]);
  for (const f of [jpg, shot]) {
    expect(f.data.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(f.data.includes("Exif"), "no EXIF block").toBe(false);
    expect(f.data.includes("GPS"), "no GPS bytes").toBe(false);
    expect(f.data.includes("Berlin")).toBe(false);
    expect(f.data.length).toBeLessThanOrEqual(2_000_000);
  }
  // Orientation applied: the 800×400 sideways photo stands 400×800.
  expect(jpegSize(jpg.data)).toEqual({ w: 400, h: 800 });
  expect(jpegSize(shot.data)).toEqual({ w: 1200, h: 700 });
  expect(sentPdf.data).toEqual(pdf);
  // The whole request: no EXIF, no GPS anywhere.
  expect(post.raw.includes("Exif")).toBe(false);
  expect(post.raw.includes("GPS")).toBe(false);
  // Delivered: nothing left in the outbox, and the IndexedDB record is gone.
  expect(await readOutbox(page)).toEqual([]);
  await expect.poll(() => page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open("reach-us"); r.onsuccess = () => { const q = r.result.transaction("files").objectStore("files").count(); q.onsuccess = () => ok(q.result); };
  }))).toBe(0);
  await api.close(); await site.close();
});

test("a 12-megapixel photo at 4× CPU throttling: timed, downscaled to the long edge, under the limit", async ({ page }) => {
  test.setTimeout(180_000);
  const api = await recorder();
  const site = await open(page, api.url);
  const big = withExif(await drawn(page, 4000, 3000), 1);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  // Timed in the page: from the input's `change` event (the file is in the browser) to its
  // Remove button in the DOM (decoded, downscaled, re-encoded, thumbnail drawn). The time
  // Playwright takes to hand the 9 MB file to the browser is not the widget's.
  await page.evaluate(() => {
    const root = document.querySelector("reach-us-widget").shadowRoot;
    root.addEventListener("change", () => { window.__picked = performance.now(); window.__ready = 0; }, true);
    new MutationObserver(() => { if (!window.__ready && root.querySelector(".ru-file-remove")) window.__ready = performance.now(); })
      .observe(root, { subtree: true, childList: true });
  });
  const runs = [];
  for (let i = 0; i < 3; i++) {
    await page.getByLabel("Add a photo or file").setInputFiles({ name: `big${i}.jpg`, mimeType: "image/jpeg", buffer: big });
    await expect(remove(page, `big${i}.jpg`)).toBeVisible({ timeout: 60_000 });
    runs.push(Math.round(await page.evaluate(() => window.__ready - window.__picked)));
    // The dialog stays usable meanwhile: typing works while a file is prepared.
    await page.getByLabel("What happened?").fill(`typed while preparing ${i}`);
    await remove(page, `big${i}.jpg`).click();
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  runs.sort((a, b) => a - b);
  console.log(`12-MP photo (4000×3000, ${(big.length / 1e6).toFixed(1)} MB JPEG with EXIF) change event → ready, 4× CPU throttling: ${runs.join(" / ")} ms (median ${runs[1]} ms)`);
  await page.getByLabel("Add a photo or file").setInputFiles({ name: "big.jpg", mimeType: "image/jpeg", buffer: big });
  await expect(remove(page, "big.jpg")).toBeVisible({ timeout: 30_000 });
  await page.getByLabel("What happened?").fill("Big photo");
  await page.getByLabel("Email").fill("driver@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  const file = api.posts[0].parts[1].data;
  expect(jpegSize(file)).toEqual({ w: 1600, h: 1200 });
  expect(file.includes("GPS")).toBe(false);
  console.log(`  sent: ${(file.length / 1e3).toFixed(0)} kB (from ${(big.length / 1e3).toFixed(0)} kB)`);
  expect(file.length).toBeLessThan(big.length);
  await api.close(); await site.close();
});

test("offline + reload + back online: the report and its files arrive exactly once (from IndexedDB); lost files become a note", async ({ page, context }) => {
  test.setTimeout(90_000);
  const api = await recorder();
  const site = await open(page, api.url);
  const photo = withExif(await drawn(page, 640, 480), 1);
  await page.getByLabel("Add a photo or file").setInputFiles({ name: "door.jpg", mimeType: "image/jpeg", buffer: photo });
  await expect(remove(page, "door.jpg")).toBeVisible();
  await page.getByLabel("What happened?").fill("Sent while offline");
  await page.getByLabel("Email").fill("driver@example.com");
  await context.setOffline(true);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved. We'll send it when you're back online.");
  const [entry] = await readOutbox(page);
  expect(JSON.parse(entry.body).attachments).toHaveLength(1);
  // The page comes back, but the backend stays out of reach: attempts from the reloaded page fail.
  await page.route(api.url, (r) => r.abort("internetdisconnected"));
  await context.setOffline(false);
  await page.reload();
  await page.waitForSelector("reach-us-widget[data-ready]", { state: "attached" });
  await page.waitForTimeout(500);
  expect(api.posts).toHaveLength(0);
  await page.unroute(api.url);
  // Back online: the outbox wakes and sends, the files read back from IndexedDB.
  await context.setOffline(true);
  await context.setOffline(false);
  await expect.poll(() => api.posts.length, { timeout: 15_000 }).toBe(1);
  await page.waitForTimeout(1500);
  expect(api.posts).toHaveLength(1);
  const post = api.posts[0];
  expect(post.key).toBe(entry.id);
  expect(post.parts.map((p) => p.name)).toEqual(["report", "file"]);
  expect(post.parts[1].data.length).toBe(post.report.attachments[0].size);
  expect(post.parts[1].data.includes("GPS")).toBe(false);
  await expect.poll(() => readOutbox(page)).toEqual([]);

  // Files lost in the browser (storage cleared between pages): the report still goes, with a note.
  await page.getByRole("button", { name: /Reach us now/ }).click();
  await page.getByLabel("Add a photo or file").setInputFiles({ name: "lost.jpg", mimeType: "image/jpeg", buffer: photo });
  await expect(remove(page, "lost.jpg")).toBeVisible();
  await page.getByLabel("What happened?").fill("Files lost");
  await page.getByLabel("Email").fill("driver@example.com");
  await context.setOffline(true);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status")).toHaveText("Saved. We'll send it when you're back online.");
  await page.evaluate(() => new Promise((ok) => {
    const r = indexedDB.open("reach-us"); r.onsuccess = () => { const t = r.result.transaction("files", "readwrite"); t.objectStore("files").clear(); t.oncomplete = ok; };
  }));
  await page.route(api.url, (r) => r.abort("internetdisconnected"));
  await context.setOffline(false);
  await page.reload();
  await page.waitForSelector("reach-us-widget[data-ready]", { state: "attached" });
  await page.unroute(api.url);
  await context.setOffline(true);
  await context.setOffline(false);
  await expect.poll(() => api.posts.length, { timeout: 15_000 }).toBe(2);
  const lost = api.posts[1];
  expect(lost.report.message).toBe("Files lost");
  expect(lost.parts.map((p) => p.name)).toEqual(["report", "note"]);
  expect(lost.parts[1].data.toString()).toBe("1 of 1 attachments were lost in the visitor's browser before delivery");
  await api.close(); await site.close();
});

test("init's `attachments` is applied and checked; keyboard: Tab reaches the picker, Remove returns focus to it", async ({ page }) => {
  const api = await recorder();
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  const site = await open(page, api.url, { attachments: { max_files: 1, types: ["image"], long_edge: 400, image_format: "webp" } });
  const input = page.getByLabel("Add a photo or file");
  await expect(input).toHaveAttribute("accept", "image/*");
  // Keyboard: from the message box, Tab reaches the file input (its label names it).
  await page.keyboard.press("Tab");
  await expect(input).toBeFocused();
  const photo = withExif(await drawn(page, 1000, 500), 1);
  await input.setInputFiles({ name: "a.jpg", mimeType: "image/jpeg", buffer: photo });
  await expect(remove(page, "a.webp")).toBeVisible();
  await expect(page.locator("reach-us-widget").getByText(/^\d+ (B|KB)$/)).toBeVisible();
  await deliverFiles(page, "drop", [{ name: "b.jpg", type: "image/jpeg", buffer: photo }]);
  await expect(page.getByRole("alert")).toHaveText("You can attach at most 1 files.");
  // A PDF is not allowed here: refused by its content.
  await remove(page, "a.webp").focus();
  await page.keyboard.press("Enter");
  await expect(remove(page, "a.webp")).toHaveCount(0);
  await expect(input).toBeFocused();
  await deliverFiles(page, "paste", [{ name: "m.pdf", type: "application/pdf", buffer: Buffer.from("%PDF-1.4\n%%EOF\n") }]);
  await expect(page.getByRole("alert")).toHaveText("m.pdf is not an image or a PDF.");
  await input.setInputFiles({ name: "a.jpg", mimeType: "image/jpeg", buffer: photo });
  await page.getByLabel("What happened?").fill("WebP");
  await page.getByLabel("Email").fill("driver@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  const f = api.posts[0].parts[1];
  expect(f.data.subarray(8, 12).toString()).toBe("WEBP");
  expect(api.posts[0].report.attachments[0].type).toBe("image/webp");
  expect(errors).toEqual([]);
  await api.close(); await site.close();
  // A bad member is one console.error naming it, and no widget.
  const bad = await servePages({ "/": hostPage({ cdn: cdn.url, head: `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', {endpoint: "/r", attachments: {long_edge: 5}});</script>` }) });
  const logged = [];
  page.on("console", (m) => { if (m.type() === "error") logged.push(m.text()); });
  await page.goto(bad.url + "/");
  await page.getByRole("button", { name: /Reach us now/ }).hover();
  await expect.poll(() => logged.join("\n")).toContain("`attachments.long_edge` must be between 320 and 4096");
  await bad.close();
});

test("a callback gets File objects; a form backend gets the report without files and a note of how many were left out", async ({ page }) => {
  const api = await recorder();
  const cfg = { brand: "Acme", backends: [{ type: "form", url: api.url }, { type: "callback" }] };
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, head: `<script>window.ReachUs=function(){(ReachUs.q=ReachUs.q||[]).push(arguments)};ReachUs('init', ${JSON.stringify(cfg)});
    ReachUs('on', 'submit', async (r) => { window.__got = { files: r.files.map((f) => [f instanceof File, f.name, f.type, f.size]), described: r.attachments.length }; });</script>` }) });
  await page.goto(site.url + "/");
  await page.getByRole("button", { name: /Reach us now/ }).click();
  const photo = withExif(await drawn(page, 300, 200), 1);
  await page.getByLabel("Add a photo or file").setInputFiles({ name: "a.jpg", mimeType: "image/jpeg", buffer: photo });
  await expect(remove(page, "a.jpg")).toBeVisible();
  await page.getByLabel("What happened?").fill("Two backends");
  await page.getByLabel("Email").fill("driver@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  expect(api.posts).toHaveLength(1);
  expect(api.posts[0].ct).toBe("application/x-www-form-urlencoded");
  expect(api.posts[0].report.message).toBe("Two backends");
  expect(api.posts[0].report.attachments_note).toBe("1 of 1 attachments left out: this backend cannot carry files");
  const got = await page.evaluate(() => window.__got);
  expect(got.described).toBe(1);
  expect(got.files).toHaveLength(1);
  const [isFile, name, type, size] = got.files[0];
  expect([isFile, name, type]).toEqual([true, "a.jpg", "image/jpeg"]);
  expect(size).toBeGreaterThan(0);
  await api.close(); await site.close();
});

test("the attachments field adds no measurable time to the open (same build, max_files 3 vs 0, interleaved)", async ({ page }) => {
  test.setTimeout(120_000);
  const site = await servePages({
    "/on": hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", brand: "Acme" } }),
    "/off": hostPage({ cdn: cdn.url, attrs: { endpoint: "/r", brand: "Acme", "max-files": "0" } }),
  });
  // Loaded code (hovered first, as a visitor's pointer does), then pointer-down → the frame
  // after focus lands in the message box.
  const openTime = async (path) => {
    await page.goto(site.url + path);
    const launcher = page.getByRole("button", { name: /Reach us now/ });
    await launcher.hover();
    await page.waitForSelector("reach-us-widget[data-ready]", { state: "attached" });
    await page.waitForTimeout(400);
    await page.evaluate(() => {
      window.__t = 0;
      document.addEventListener("pointerdown", () => { window.__t0 = performance.now(); }, true);
      document.querySelector("reach-us-widget").addEventListener("focusin", () => {
        if (!window.__t) requestAnimationFrame(() => { window.__t = performance.now() - window.__t0; });
      });
    });
    await launcher.click();
    await page.waitForFunction(() => window.__t > 0);
    const fields = await page.locator("reach-us-widget").locator("#ru-files").count();
    expect(fields).toBe(path === "/on" ? 1 : 0);
    return page.evaluate(() => window.__t);
  };
  const med = (l) => [...l].sort((a, b) => a - b)[3].toFixed(1);
  const cdp = await page.context().newCDPSession(page);
  for (const rate of [1, 4]) {
    await cdp.send("Emulation.setCPUThrottlingRate", { rate });
    const on = [], off = [];
    for (let i = 0; i < 7; i++) { off.push(await openTime("/off")); on.push(await openTime("/on")); }
    console.log(`open at ${rate}× CPU (pointer-down → message box focused, loaded code), median of 7: with the attachments field ${med(on)} ms, without (max_files 0) ${med(off)} ms`);
  }
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await site.close();
});

const freePort = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });

test("the reference inbox stores the photo once and its admin page shows the thumbnail", async ({ page, browser }) => {
  if (!existsSync(BIN)) execFileSync("cargo", ["build", "--quiet", "--release", "-p", "reach-us-inbox"], { cwd: ROOT, stdio: "inherit" });
  const pages = {};
  const site = await servePages(pages);
  const dir = mkdtempSync(join(tmpdir(), "reach-us-inbox-att-"));
  const port = await freePort();
  const inbox = `http://127.0.0.1:${port}`;
  const child = spawn(BIN, [], {
    env: { ...process.env, INBOX_ADDR: `127.0.0.1:${port}`, INBOX_DB: join(dir, "inbox.sqlite3"), INBOX_ALLOW_ORIGINS: site.url,
      INBOX_ADMIN_TOKEN_SHA256: createHash("sha256").update(TOKEN).digest("hex"), INBOX_PUBLIC_URL: inbox },
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    for (let i = 0; i < 200; i++) { try { await fetch(inbox + "/v1/notice"); break; } catch { await new Promise((r) => setTimeout(r, 50)); } }
    pages["/"] = hostPage({ cdn: cdn.url, attrs: { endpoint: `${inbox}/v1/reports`, brand: "Acme" } });
    await page.goto(site.url + "/");
    await page.getByRole("button", { name: /Reach us now/ }).click();
    const photo = withExif(await drawn(page, 1000, 750), 1);
    await page.getByLabel("Add a photo or file").setInputFiles({ name: "dashboard.jpg", mimeType: "image/jpeg", buffer: photo });
    await expect(remove(page, "dashboard.jpg")).toBeVisible();
    await page.getByLabel("What happened?").fill("Error on the car's screen");
    await page.getByLabel("Email").fill("driver@example.com");
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
    const files = readdirSync(join(dir, "files"));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{64}$/);
    // Not public.
    expect((await fetch(`${inbox}/admin/files/${files[0]}`)).status).toBe(401);
    // The team's admin page, signed in with the token: the thumbnail loads.
    const admin = await browser.newPage();
    await admin.goto(inbox + "/admin");
    await admin.getByLabel(/token/i).fill(TOKEN);
    await admin.getByRole("button", { name: /sign in/i }).click();
    const img = admin.getByRole("img", { name: "dashboard.jpg" });
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((i) => i.naturalWidth)).toBe(1000);
    await admin.close();
  } finally {
    child.kill("SIGTERM"); await site.close();
  }
});
