import { test, expect, type Browser, type Page } from "@playwright/test";
import { hidePost, hydrated, signIn } from "./helpers";

// Two people, two browsers: what one does, the other sees without reloading.

/** The page's live stream has caught up (its `synced` event arrived). */
async function live(page: Page) {
  await expect(page.locator(".live[data-live=live]")).toHaveCount(1);
}

/** `email` posts `text`; a signed-out reader, in a browser of their own, has the feed open and live. */
async function postAndWatch(page: Page, browser: Browser, email: string, text: string) {
  await signIn(page, email);
  await page.getByRole("textbox", { name: "New post" }).fill(text);
  await page.getByRole("button", { name: "Post" }).click();
  await expect(page.locator("article.post", { hasText: text })).toBeVisible();
  const theirs = await browser.newContext();
  const reader = await theirs.newPage();
  await reader.goto("/");
  await hydrated(reader);
  await live(reader);
  await expect(likeCount(reader, text)).toHaveText("0");
  return { theirs, reader };
}

function likeCount(page: Page, text: string) {
  return page.locator("article.post", { hasText: text }).locator(".like .count");
}

test("a like, a new post and a staff hide reach another reader live", async ({ page, browser }) => {
  const text = `Live ${Date.now()}`;
  const { theirs, reader } = await postAndWatch(page, browser, "ada@example.com", text);
  // Not yet: nothing new, nothing paused.
  await expect(reader.getByRole("button", { name: /new post/ })).toBeHidden();
  await expect(reader.getByText("Live updates paused")).toBeHidden();

  // Ada likes her post: the reader's count follows within a second, their own button unpressed.
  await page.locator("article.post", { hasText: text }).getByRole("button", { name: "Like" }).click();
  await expect(likeCount(reader, text)).toHaveText("1", { timeout: 1_000 });
  await expect(reader.locator("article.post", { hasText: text }).locator(".like")).toHaveAttribute("aria-pressed", "false");

  // A new post is offered, not pushed: the list stays put until the reader asks.
  const newer = `Newer ${Date.now()}`;
  await page.getByRole("textbox", { name: "New post" }).fill(newer);
  await page.getByRole("button", { name: "Post" }).click();
  const offer = reader.getByRole("button", { name: "1 new post" });
  await expect(offer).toBeVisible();
  await expect(reader.locator("article.post", { hasText: newer })).toHaveCount(0);
  await offer.click();
  await expect(reader.locator("article.post").first()).toContainText(newer);
  await expect(offer).toHaveCount(0);

  // Staff hide Ada's first post: it is marked gone on the reader's page.
  const staff = await browser.newContext();
  const moderator = await staff.newPage();
  await signIn(moderator, "margaret@example.com");
  await hidePost(moderator, text, "Testing live removal");
  const gone = reader.locator("article.post.gone", { hasText: text });
  await expect(gone).toBeVisible();
  // The note is the stylesheet's, so the first load carries no code for it.
  const note = await gone.evaluate((post) => getComputedStyle(post, "::after").content);
  expect(note).toBe('"This post was removed."');
  await staff.close();
  await theirs.close();
});

test("a reader who went offline catches up on what changed meanwhile", async ({ page, browser }) => {
  const text = `Offline ${Date.now()}`;
  const { theirs, reader } = await postAndWatch(page, browser, "grace@example.com", text);

  await theirs.setOffline(true);
  await expect(reader.getByRole("status").filter({ hasText: "Live updates paused" })).toBeVisible();
  // Meanwhile: a like, and an edit.
  await page.locator("article.post", { hasText: text }).getByRole("button", { name: "Like" }).click();
  await expect(page.locator("article.post", { hasText: text }).locator(".like .count")).toHaveText("1");
  const edited = `${text} (edited)`;
  // By id: while it is being edited, the text is in a textarea, not the card's text.
  const id = await page.locator("article.post", { hasText: text }).getAttribute("data-post-id");
  const card = page.locator(`article.post[data-post-id="${id}"]`);
  await card.getByRole("button", { name: "Edit" }).click();
  await card.getByLabel("Edit post").fill(edited);
  await card.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("article.post", { hasText: edited })).toBeVisible();

  await theirs.setOffline(false);
  await live(reader);
  await expect(reader.getByRole("status").filter({ hasText: "Live updates paused" })).toHaveCount(0);
  await expect(likeCount(reader, edited)).toHaveText("1");
  await expect(reader.locator("article.post", { hasText: edited })).toBeVisible();
  await theirs.close();
});
