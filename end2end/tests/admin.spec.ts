import { test, expect } from "@playwright/test";
import { hidePost, hydrated, signIn } from "./helpers";

// The demo data's staff account (domain/src/seed.rs).
const STAFF = "margaret@example.com";

test("a staff member deactivates a user, whose open session is refused on its next request", async ({ page, browser, request }) => {
  const email = `deactivate-${Date.now()}@example.com`;
  const password = "about to be deactivated";
  expect((await request.post("/api/auth/register", { data: { email, password } })).status()).toBe(202);

  // The user, signed in in their own browser.
  const theirs = await browser.newContext();
  const userPage = await theirs.newPage();
  await signIn(userPage, email, password);
  await expect(userPage.getByRole("note")).toContainText("Confirm your email address");

  // Visitors and non-staff are kept out of the admin.
  expect((await request.get("/admin/users")).status()).toBe(401);
  const refused = await userPage.goto("/admin/users");
  expect(refused!.status()).toBe(403);
  await expect(userPage.getByRole("heading", { name: "Staff only" })).toBeVisible();
  await userPage.goto("/");
  await hydrated(userPage);

  // Staff find the user and deactivate them.
  await signIn(page, STAFF);
  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Users" }).click();
  await page.getByLabel("Search").fill(email.slice(0, 14));
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/\/admin\/users\?q=/);
  await hydrated(page);
  await page.getByRole("link", { name: new RegExp(email.split("@")[0]) }).click();
  await expect(page.getByText(email)).toBeVisible();
  await expect(page.locator(".sessions li")).toHaveCount(1);
  await page.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deactivated" })).toBeVisible();
  await expect(page.getByTestId("status")).toContainText("deactivated");
  await expect(page.getByText("No live sessions.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Reactivate" })).toBeVisible();

  // The user's next request, from the page they still have open, is refused: their token and
  // their refresh cookie are both dead, and the page signs them out.
  const answer = userPage.waitForResponse((r) => r.url().endsWith("/api/auth/verify/resend"));
  await userPage.getByRole("button", { name: "Send the link again" }).click();
  expect((await answer).status()).toBe(401);
  await expect(userPage.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(userPage.getByRole("button", { name: "Sign out" })).toHaveCount(0);

  // And they cannot sign back in.
  await userPage.goto("/login");
  await hydrated(userPage);
  await userPage.getByLabel("Email").fill(email);
  await userPage.getByLabel("Password").fill(password);
  await userPage.getByRole("button", { name: "Sign in" }).click();
  await expect(userPage.getByRole("alert")).toContainText("deactivated");
  await theirs.close();

  // The audit trail has it.
  await page.goto("/admin/audit");
  const row = page.locator("tr", { hasText: "deactivate" }).first();
  await expect(row).toContainText("@margaret");
  await expect(row).toContainText("1 session(s) ended");
});

test("staff hide a post with a reason; it leaves the feed", async ({ page, request }) => {
  await signIn(page, STAFF);
  const text = `Hide me ${Date.now()}`;
  await page.getByRole("textbox", { name: "New post" }).fill(text);
  await page.getByRole("button", { name: "Post" }).click();
  await expect(page.locator("article.post", { hasText: text })).toBeVisible();

  const item = await hidePost(page, text, "Testing moderation");
  await expect(item.getByRole("button", { name: "Show again" })).toBeVisible();

  const feed = await (await request.get("/")).text();
  expect(feed).not.toContain(text);
});
