import { test, expect, chromium } from "@playwright/test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hydrated, signIn } from "./helpers";

test("the manifest is linked and valid, with its icons", async ({ page, request }) => {
  await page.goto("/");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  expect(href).toBe("/manifest.webmanifest");
  await expect(page.locator('meta[name="theme-color"]')).toHaveAttribute("content", "#5b5bd6");
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute("href", /\.png$/);

  const response = await request.get(href!);
  expect(response.ok()).toBe(true);
  const manifest = await response.json();
  expect(manifest).toMatchObject({
    name: "mublog",
    short_name: "mublog",
    display: "standalone",
    start_url: "/",
    scope: "/",
    theme_color: "#5b5bd6",
    background_color: "#ffffff",
  });
  expect(manifest.description.length).toBeGreaterThan(0);
  const sizes = manifest.icons.map((i: any) => `${i.sizes} ${i.purpose}`);
  expect(sizes).toEqual(expect.arrayContaining(["192x192 any", "512x512 any", "512x512 maskable"]));
  for (const icon of manifest.icons) {
    const png = await request.get(icon.src);
    expect(png.headers()["content-type"]).toBe("image/png");
    const bytes = await png.body();
    const [w, h] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)]; // from the IHDR chunk
    expect(`${w}x${h}`).toBe(icon.sizes);
  }
});

test("Chrome finds no installability errors", async ({ baseURL }, testInfo) => {
  // Incognito profiles cannot install apps, so this check uses a real (temporary) profile.
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "mublog-profile-"));
  const context = await chromium.launchPersistentContext(profile, { ...testInfo.project.use.launchOptions, baseURL });
  try {
    const page = await context.newPage();
    await page.goto("/");
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
    await page.evaluate(() => navigator.serviceWorker.ready);
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    expect(installabilityErrors).toEqual([]);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});

test("offline after one visit: the app shell or the offline page, never the browser's error", async ({ page, context }) => {
  await page.goto("/");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  // Wait until the worker controls the page (it claims clients as it activates).
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await page.reload();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);

  await context.setOffline(true);
  // A page visited before comes from the cache, and still hydrates from precached assets.
  await page.reload();
  await expect(page.locator("article.post").first()).toBeVisible();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  // A page never visited gets the offline page.
  await page.goto("/posts/1");
  await expect(page.getByRole("heading", { name: "You are offline" })).toBeVisible();
  await context.setOffline(false);
});

test("the service worker never stores authentication responses", async ({ page }) => {
  await page.goto("/login");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await page.getByLabel("Email").fill("ken@example.com");
  await page.getByLabel("Password").fill("mublog-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  const cached: string[] = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const key of await caches.keys()) {
      for (const req of await (await caches.open(key)).keys()) urls.push(new URL(req.url).pathname);
    }
    return urls;
  });
  expect(cached.length).toBeGreaterThan(0);
  expect(cached.filter((u) => u.startsWith("/api/"))).toEqual([]);
  expect(cached).toEqual(expect.arrayContaining(["/offline"]));
  expect(cached.some((u) => /^\/pkg\/mublog\.[^.]+\.wasm$/.test(u))).toBe(true);
});

test("an Install button appears when the browser offers installation, and asks", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const install = page.getByRole("button", { name: "Install" });
  await expect(install).toHaveCount(0);
  // What Chrome fires when the app is installable (a real install cannot run headless).
  await page.evaluate(() => {
    const offer = new Event("beforeinstallprompt", { cancelable: true }) as any;
    offer.prompt = () => ((window as any).prompted = true);
    window.dispatchEvent(offer);
  });
  await expect(install).toBeVisible();
  await install.click();
  expect(await page.evaluate(() => (window as any).prompted)).toBe(true);
  await expect(install).toHaveCount(0);
});

test("after sign-out the worker holds nothing personal: an admin page offline is the offline page", async ({ page, context }) => {
  await page.goto("/");
  await hydrated(page);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await signIn(page, "margaret@example.com");
  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  // Signing out reloads the feed.
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();

  const stored = async () =>
    page.evaluate(async () => {
      const paths: string[] = [];
      for (const key of await caches.keys()) {
        for (const req of await (await caches.open(key)).keys()) paths.push(new URL(req.url).pathname);
      }
      return paths;
    });
  await expect.poll(async () => (await stored()).filter((p) => p.startsWith("/admin"))).toEqual([]);
  expect(await stored()).toEqual(expect.arrayContaining(["/offline"]));

  await context.setOffline(true);
  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { name: "You are offline" })).toBeVisible();
  await context.setOffline(false);
});
