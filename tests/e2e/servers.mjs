// Real HTTP servers on 127.0.0.1 for the browser tests: one serves the widget's dist/
// (the "CDN"), one serves host pages (the "brand site"), one is the backend that records
// every request it gets. Each listens on its own port, so every test is cross-origin.
import http from "node:http";
import { readFile } from "node:fs/promises";
import { join, extname, normalize } from "node:path";

const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json" };

function listen(server) {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

/** Serve a folder, with CORS (module scripts and wasm are fetched in CORS mode). Logs paths. */
export async function serveDir(dir, { headers = {}, types = {} } = {}) {
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    requests.push(path);
    const file = normalize(join(dir, path === "/" ? "index.html" : path));
    if (!file.startsWith(normalize(dir))) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      const type = types[extname(file)] || TYPES[extname(file)] || "application/octet-stream";
      res.writeHead(200, { "content-type": type, "access-control-allow-origin": "*", ...headers });
      res.end(body);
    } catch {
      res.writeHead(404, { "access-control-allow-origin": "*" }).end("not found");
    }
  });
  const url = await listen(server);
  return { url, requests, close: () => new Promise((r) => server.close(r)) };
}

/** Serve host pages from a map path -> html (or a function returning html). */
export async function servePages(pages, { headers = {} } = {}) {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const page = pages[path];
    if (path === "/favicon.ico") { res.writeHead(204).end(); return; }
    if (page === undefined) { res.writeHead(404).end(); return; }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", ...headers });
    res.end(typeof page === "function" ? page() : page);
  });
  const url = await listen(server);
  return { url, close: () => new Promise((r) => server.close(r)) };
}

/**
 * A backend that records requests. `respond(req, body, n)` returns {status, body, delayMs}
 * for the n-th POST (default: 201 with the client's reference); `raw` + `type` answer a
 * body as it is (a vendor's HTML page, Slack's `ok`), `headers` adds response headers,
 * `stallBodyMs` sends the headers at once and the rest of the body that much later. `cors: false` answers like
 * a vendor webhook that sends no CORS headers at all. `overlaps` counts POSTs that arrived
 * while another POST of the same report (by key, else body id) was still being answered.
 */
export async function backend(respond, { cors: withCors = true } = {}) {
  const posts = [];
  const options = [];
  const inflight = new Map();
  const stats = { overlaps: 0 };
  const server = http.createServer((req, res) => {
    const cors = withCors ? {
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "POST, GET, OPTIONS",
      "access-control-allow-headers": "content-type, idempotency-key, x-brand",
    } : {};
    if (req.method === "OPTIONS") { options.push(req.url); res.writeHead(204, cors).end(); return; }
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c) => (data += c));
    req.on("end", async () => {
      let body = null;
      try { body = JSON.parse(data); } catch { /* recorded as null */ }
      const entry = { method: req.method, url: req.url, headers: req.headers, raw: data, body, at: Date.now() };
      posts.push(entry);
      const key = req.headers["idempotency-key"] || (body && body.id) || data;
      if (inflight.get(key)) stats.overlaps++;
      inflight.set(key, (inflight.get(key) || 0) + 1);
      const r = (respond && (await respond(entry, posts.length))) || { status: 201, body: { reference: body && body.reference } };
      if (r.delayMs) await new Promise((ok) => setTimeout(ok, r.delayMs));
      inflight.set(key, inflight.get(key) - 1);
      res.writeHead(r.status, { ...cors, "content-type": r.type || "application/json", ...(r.headers || {}) });
      const text = r.raw !== undefined ? r.raw : r.body === undefined ? "" : JSON.stringify(r.body);
      if (r.stallBodyMs) {
        // Headers at once, the body only later (a server that hangs mid-answer).
        res.write(text.slice(0, 1));
        await new Promise((ok) => setTimeout(ok, r.stallBodyMs));
        if (!res.destroyed) res.end(text.slice(1));
        return;
      }
      res.end(text);
    });
  });
  const url = await listen(server);
  return { url, posts, options, stats, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}

/** A host page that embeds the widget with one tag. */
export function hostPage({ cdn, attrs = {}, lang = "en", head = "", body = "", before = "" }) {
  const a = Object.entries(attrs).map(([k, v]) => ` data-${k}="${String(v).replace(/"/g, "&quot;")}"`).join("");
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Host page</title>${head}</head>
<body><h1>A brand page</h1><p>Some content.</p>${body}${before}
<script async src="${cdn}/reach-us.js"${a}></script></body></html>`;
}

/** The outbox entries a page's `localStorage` holds (one key per report, README "Storage"). */
export const readOutbox = (page) => page.evaluate(() =>
  Object.keys(localStorage).filter((k) => k.startsWith("reach-us:v1:outbox:")).map((k) => JSON.parse(localStorage.getItem(k))));
