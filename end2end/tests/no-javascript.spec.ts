import { test, expect } from "@playwright/test";

// As on a slow phone before the WASM arrives, or with scripts off: the account forms post
// to the server, which answers with a redirect; no password ever appears in a URL.
test.use({ javaScriptEnabled: false });

test("without JavaScript, register and sign in work and no URL carries a password", async ({ page }) => {
  const urls: string[] = [];
  page.on("request", (request) => urls.push(request.url()));
  const email = `nojs-${Date.now()}@example.com`;
  const password = "no-script-passphrase";

  await page.goto("/register");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/login\?registered=1$/);

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("a wrong passphrase");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login\?error=invalid_credentials$/);
  await expect(page.getByRole("alert")).toContainText("Wrong email or password.");

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  expect(urls.filter((url) => url.includes("password="))).toEqual([]);
});
