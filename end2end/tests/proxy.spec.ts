import { test, expect, type Page } from "@playwright/test";
import { hydrated } from "./helpers";

// Behind the DjaoDjin session proxy, in development with the README's mockup sessions (the
// second server of playwright.config.ts): each role signs in at /login, as the proxy would.
const proxyURL = `http://127.0.0.1:${Number(process.env.E2E_PROXY_PORT ?? 3400)}`;

async function signInAs(page: Page, name: string) {
  await page.goto(`${proxyURL}/login`);
  const session = page.getByRole("listitem").filter({ hasText: `Sign in as ${name}` });
  await session.getByLabel("Password").fill("any password at all");
  await session.getByRole("button", { name: `Sign in as ${name}` }).click();
  await expect(page).toHaveURL(`${proxyURL}/`);
  await hydrated(page);
  await expect(page.getByRole("link", { name: "Sign out" })).toBeVisible();
}

async function post(page: Page, text: string) {
  await page.getByRole("textbox", { name: "New post" }).fill(text);
  await page.getByRole("button", { name: "Post", exact: true }).click();
}

test("anonymous readers read the feed, and other pages need a session", async ({ page }) => {
  await page.goto(`${proxyURL}/`);
  await hydrated(page);
  await expect(page.locator("article.post").first()).toBeVisible();
  const settings = await page.goto(`${proxyURL}/settings`);
  expect(settings!.status()).toBe(403);
});

test("the manager of the site opens the admin", async ({ page }) => {
  await signInAs(page, "manager");
  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
});

test("a subscriber posts, and sees their organization in the settings", async ({ page }) => {
  await signInAs(page, "subscriber");
  const text = `Posted behind the proxy ${Date.now()}`;
  await post(page, text);
  await expect(page.locator("article.post", { hasText: text })).toBeVisible();
  await page.goto(`${proxyURL}/settings`);
  await expect(page.getByRole("heading", { name: "Organizations" })).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "ACME" })).toContainText("plans: writer");
  await expect(page.getByRole("button", { name: "Change password" })).toHaveCount(0);
});

test("a subscriber whose plan ended reads, cannot post, and is told why", async ({ page }) => {
  await signInAs(page, "lapsed");
  await expect(page.locator("article.post").first()).toBeVisible();
  const text = `Not posted ${Date.now()}`;
  await post(page, text);
  await expect(page.locator("#new-post-error")).toContainText("Posting needs an active subscription");
  await expect(page.locator("article.post", { hasText: text })).toHaveCount(0);
});

test("a session asks mublog for no tokens, and signing out ends it at the proxy", async ({ page }) => {
  const tokenCalls: string[] = [];
  page.on("request", (request) => {
    if (/\/api\/auth\/(refresh|logout)/.test(request.url())) tokenCalls.push(request.url());
  });
  await signInAs(page, "subscriber");
  const like = page.locator("article.post").first().locator("button.like");
  const saved = page.waitForResponse((r) => r.url().includes("/api/posts/like") && r.status() === 200);
  await like.click();
  await saved;
  expect(tokenCalls).toEqual([]);

  await page.getByRole("link", { name: "Sign out" }).click();
  await expect(page).toHaveURL(`${proxyURL}/`);
  await hydrated(page);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  const settings = await page.goto(`${proxyURL}/settings`);
  expect(settings!.status()).toBe(403);
});
