import { test, expect, type Page } from "@playwright/test";
import { hydrated, signIn } from "./helpers";
import { openMailLink } from "./mail";



test("forgot password, reset by email, and the old session is signed out", async ({ page, browser, request }) => {
  const email = `reset-${Date.now()}@example.com`;
  const oldPassword = "first passphrase here";
  const newPassword = "second passphrase here";
  expect((await request.post("/api/auth/register", { data: { email, password: oldPassword } })).status()).toBe(202);

  // A session on another device, signed in with the old password.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, email, oldPassword);

  // Forgot password: the answer never says whether the account exists.
  await page.goto("/forgot");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account uses that address");

  await openMailLink(page, email, "Reset your mublog password", "/reset/");
  await page.getByLabel("New password").fill("password1");
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page.getByRole("alert")).toContainText("most common");
  await page.getByLabel("New password").fill(newPassword);
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);
  await expect(page.getByRole("status")).toContainText("every device is signed out");

  // The old password is gone, the new one works.
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(oldPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("Wrong email or password");
  await signIn(page, email, newPassword);

  // The other device's session has ended: after a reload it is signed out.
  await otherPage.reload();
  await hydrated(otherPage);
  await expect(otherPage.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(otherPage.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  await other.close();
});

test("settings: profile handle, and the sessions page signs out another device", async ({ page, browser, request }) => {
  const email = `settings-${Date.now()}@example.com`;
  const password = "settings passphrase";
  expect((await request.post("/api/auth/register", { data: { email, password } })).status()).toBe(202);
  const other = await browser.newContext({ userAgent: "OtherDevice/1.0" });
  const otherPage = await other.newPage();
  await signIn(otherPage, email, password);
  await signIn(page, email, password);

  await page.getByRole("link", { name: "Settings", exact: true }).click();
  await expect(page.getByText("Add your first and last name")).toBeVisible();
  const handle = `h${Date.now()}`;
  await page.getByLabel("First name").fill("Test");
  await page.getByLabel("Last name").fill("Person");
  await page.getByLabel("Handle").fill(handle);
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await expect(page.getByText("Add your first and last name")).toHaveCount(0);
  const profile = await page.goto(`/u/${handle}`);
  expect(profile!.status()).toBe(200);

  await page.goto("/settings/sessions");
  await hydrated(page);
  const devices = page.locator("li.device");
  await expect(devices).toHaveCount(2);
  const otherDevice = devices.filter({ hasText: "OtherDevice/1.0" });
  await otherDevice.getByRole("button", { name: "Sign out" }).click();
  await expect(devices).toHaveCount(1);
  await expect(devices.first()).toContainText("this device");

  await otherPage.reload();
  await hydrated(otherPage);
  await expect(otherPage.getByRole("link", { name: "Sign in" })).toBeVisible();
  await other.close();
});
