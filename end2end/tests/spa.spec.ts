import { test, expect } from "@playwright/test";

// The Trunk build (`target/csr`) served from its own origin, talking to the mublog server
// across origins through server functions, with the refresh cookie and CORS.
const spa = `http://127.0.0.1:${process.env.E2E_SPA_PORT ?? 3200}`;

test("the static SPA signs in and likes, across origins", async ({ page }) => {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(err.message));
  page.on("console", (msg) => msg.type() === "error" && problems.push(msg.text()));

  await page.goto(`${spa}/`);
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await expect(page.locator("article.post").first()).toBeVisible(); // the feed, fetched cross-origin

  await page.getByRole("link", { name: "Sign in" }).click();
  await page.getByLabel("Email").fill("ada@example.com");
  await page.getByLabel("Password").fill("mublog-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  expect(new URL(page.url()).origin).toBe(spa);

  const post = page.locator("article.post").nth(2);
  const id = await post.getAttribute("data-post-id");
  const like = post.locator("button.like");
  const before = await like.getAttribute("aria-pressed");
  await like.click();
  const after = before === "true" ? "false" : "true";
  await expect(like).toHaveAttribute("aria-pressed", after);

  // A reload keeps the session (refresh cookie across origins) and shows the server's state.
  await page.reload();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(page.locator(`article[data-post-id="${id}"] button.like`)).toHaveAttribute("aria-pressed", after);
  expect(problems).toEqual([]);
});

test("origins that are not configured get no CORS access", async ({ request }) => {
  const allowed = await request.fetch("/api/posts/list", {
    method: "OPTIONS",
    headers: { Origin: spa, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
  });
  expect(allowed.headers()["access-control-allow-origin"]).toBe(spa);
  expect(allowed.headers()["access-control-allow-credentials"]).toBe("true");
  const other = await request.fetch("/api/posts/list", {
    method: "OPTIONS",
    headers: { Origin: "http://evil.example", "Access-Control-Request-Method": "POST" },
  });
  expect(other.headers()["access-control-allow-origin"]).toBeUndefined();
});
