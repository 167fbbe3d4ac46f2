import { expect, type Page } from "@playwright/test";
import { hydrated } from "./helpers";

/**
 * Opens the development outbox (/dev/mail), finds the newest mail to `to` with `subject`, and
 * follows its link containing `path` (like a person clicking it in their mail client).
 */
export async function openMailLink(page: Page, to: string, subject: string, path: string) {
  const mail = page.locator(`article.mail[data-to="${to}"]`).filter({ hasText: subject }).first();
  // Mail is sent by a background job: reload the outbox until it arrives.
  await expect(async () => {
    await page.goto("/dev/mail");
    await expect(mail).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 15_000 });
  await mail.locator(`a[href*="${path}"]`).first().click();
  await expect(page).toHaveURL(new RegExp(path));
  await hydrated(page);
}
