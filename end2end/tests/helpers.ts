import { expect, type Page } from "@playwright/test";

/** The WASM app marks <body> once it has taken over the server-rendered page. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
}

/** Signs in through the login page (demo accounts use `mublog-demo`). */
export async function signIn(page: Page, email: string, password = "mublog-demo") {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** A staff member (signed in on `page`) hides the post saying `text`, from the admin's post list. */
export async function hidePost(page: Page, text: string, reason: string) {
  await page.goto(`/admin/posts?q=${encodeURIComponent(text)}`);
  await hydrated(page);
  const item = page.locator("li.admin-post", { hasText: text });
  await item.getByLabel("Reason").fill(reason);
  await item.getByRole("button", { name: "Hide" }).click();
  await expect(item).toContainText(reason);
  return item;
}
