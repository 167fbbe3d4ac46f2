import { test, expect, type Page } from "@playwright/test";
import { signIn } from "./helpers";
import * as zlib from "node:zlib";

/** A solid-colour RGB PNG, built here so the test needs no fixture files. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x66)]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}


test("a post with a picture: uploaded with progress, then shown with srcset and fixed size", async ({ page }) => {
  await signIn(page, "margaret@example.com");

  const text = `Picture post ${Date.now()}`;
  await page.getByRole("textbox", { name: "New post" }).fill(text);
  await page.getByLabel("Add a picture").setInputFiles({ name: "photo.jpg", mimeType: "image/jpeg", buffer: png(1600, 900) });
  // Record every value the progress bar shows.
  await page.evaluate(() => {
    (window as any).progressSeen = [];
    new MutationObserver(() => {
      const bar = document.querySelector("progress.upload");
      if (bar) (window as any).progressSeen.push(Number(bar.getAttribute("value")));
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.getByRole("button", { name: "Post", exact: true }).click();
  const post = page.locator("article.post", { hasText: text });
  await expect(post).toBeVisible();
  await expect(page.locator("progress.upload")).toHaveCount(0);
  const seen: number[] = await page.evaluate(() => (window as any).progressSeen);
  expect(seen.length).toBeGreaterThan(0);
  expect(Math.max(...seen)).toBe(1);

  // Once the sizes are rendered, the server-rendered page carries them.
  await expect(async () => {
    await page.reload();
    await expect(post.locator("img.picture")).toHaveAttribute("srcset", /320w.*640w.*1280w.*1600w/, { timeout: 500 });
  }).toPass({ timeout: 15_000 });
  const img = post.locator("img.picture");
  await expect(img).toHaveAttribute("width", "1600");
  await expect(img).toHaveAttribute("height", "900");
  await expect(img).toHaveAttribute("loading", "lazy");
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0)).toBe(true);
});
