// Storage refused (private mode, a full quota): Send makes one attempt from memory, the
// visitor keeps their text, and the page still hears the outcome (README "Events").
import { test, expect } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { serveDir, servePages, backend, hostPage } from "./servers.mjs";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "../../dist");
let cdn;
test.beforeAll(async () => { cdn = await serveDir(DIST); });
test.afterAll(async () => { await cdn.close(); });

test("storage refused: failed {http_400}, then delivered, then failed {network}", async ({ page }) => {
  const api = await backend((e, n) => (n === 1 ? { status: 400, body: { error: "refused" } } : undefined));
  await page.addInitScript(() => {
    Storage.prototype.setItem = function () { throw new DOMException("The quota has been exceeded.", "QuotaExceededError"); };
  });
  const site = await servePages({ "/": hostPage({ cdn: cdn.url, attrs: { endpoint: api.url } }) });
  await page.goto(site.url + "/");
  await page.evaluate(() => {
    window.__ev = [];
    for (const e of ["delivered", "failed"]) ReachUs("on", e, (d) => window.__ev.push([e, d]));
    ReachUs("open");
  });
  const events = () => page.evaluate(() => window.__ev);
  await page.getByLabel("What happened?").fill("Door will not open");
  await page.getByLabel("Email").fill("a@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect.poll(events).toHaveLength(1);
  const id = api.posts[0].body.id;
  expect((await events())[0]).toEqual(["failed", { id, reason: "http_400" }]);
  // The same text again is the same report: accepted now.
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("heading", { name: "Thanks, we've got it" })).toBeVisible();
  await expect.poll(events).toHaveLength(2);
  expect((await events())[1]).toEqual(["delivered", { id, reference: api.posts[1].body.reference }]);
  expect(api.posts[1].body.id).toBe(id);
  // No backend answers at all: `network`, and the text is still there.
  await api.close();
  await page.getByRole("button", { name: "Report something else" }).click();
  await page.getByLabel("What happened?").fill("Second problem");
  await page.getByLabel("Email").fill("a@example.com");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect.poll(events).toHaveLength(3);
  const [name, detail] = (await events())[2];
  expect(name).toBe("failed");
  expect(detail.reason).toBe("network");
  expect(detail.id).not.toBe(id);
  await expect(page.getByLabel("What happened?")).toHaveValue("Second problem");
  await site.close();
});
