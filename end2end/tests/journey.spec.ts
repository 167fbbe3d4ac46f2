import { test, expect, type Page, type Locator } from "@playwright/test";
import { hydrated, signIn } from "./helpers";
import { openMailLink } from "./mail";

/** Fails the test on any console error, page error or hydration warning. */
function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (msg) => {
    const text = msg.text();
    if (msg.type() === "error" || /hydrat/i.test(text)) problems.push(`${msg.type()}: ${text}`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
}

function postWith(page: Page, text: string): Locator {
  return page.locator("article.post", { hasText: text });
}

test("register, verify by email, post, like, reload, unlike, edit, delete, sign out", async ({ page, context }) => {
  const problems = watchConsole(page);
  const email = `e2e-${Date.now()}@example.com`;
  const password = "playwright-passphrase";
  const text = `Hello from Playwright ${Date.now()}`;

  // Register.
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/login\?registered=1$/);
  // The sign-in page's code loads on first visit; until then the register form is still shown.
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();

  // Sign in.
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  // Until the address is confirmed: a banner says why, and there is no composer.
  await expect(page.getByRole("note")).toContainText("Confirm your email address to post and like");
  await expect(page.getByRole("textbox", { name: "New post" })).toHaveCount(0);

  // Open the link from the mail (the development outbox), in a second tab.
  const mailTab = await context.newPage();
  await openMailLink(mailTab, email, "Confirm your email for mublog", "/verify/");
  await expect(mailTab.getByRole("status")).toContainText("Your email address is confirmed");
  await mailTab.close();
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("note")).toHaveCount(0);

  // The access token stays in memory: nothing in web storage, and the cookie is HttpOnly.
  const stored = await page.evaluate(() => localStorage.length + sessionStorage.length + document.cookie.length);
  expect(stored).toBe(0);
  const cookies = await page.context().cookies();
  const refresh = cookies.find((c) => c.name === "__Host-mublog_refresh");
  expect(refresh?.httpOnly).toBe(true);
  expect(refresh?.sameSite).toBe("Strict");

  // Post: too long first (inline error), then for real.
  const composer = page.getByRole("textbox", { name: "New post" });
  await composer.fill("x".repeat(281));
  await page.getByRole("button", { name: "Post", exact: true }).click();
  await expect(page.locator("#new-post-error")).toContainText("at most 280");
  await composer.fill(text);
  await page.getByRole("button", { name: "Post", exact: true }).click();
  await expect(postWith(page, text)).toBeVisible();
  await expect(composer).toHaveValue("");
  const postId = await postWith(page, text).getAttribute("data-post-id");
  const post = page.locator(`article[data-post-id="${postId}"]`);

  // Like. The count flips at once; the request leaves once the like code has loaded, and the
  // reload below must not cut it off.
  const like = post.locator("button.like");
  await expect(like).toHaveAttribute("aria-pressed", "false");
  const saved = page.waitForResponse((r) => r.url().endsWith("/api/posts/like") && r.status() === 200);
  await like.click();
  await expect(like).toHaveAttribute("aria-pressed", "true");
  await expect(like).toContainText("1");
  await saved;

  // Reload: the server-rendered HTML already shows the like, before any script runs.
  const response = await page.reload();
  const html = await response!.text();
  // Hydration runs under a strict, nonce-based CSP (a violation would be a console error).
  expect(response!.headers()["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'wasm-unsafe-eval'/);
  const start = html.indexOf(`data-post-id="${postId}"`);
  expect(start).toBeGreaterThan(0);
  const article = html.slice(start, html.indexOf("</article>", start));
  expect(article).toMatch(/<button(?=[^>]*class="like")[^>]*aria-pressed="true"/);
  expect(html).toContain("Sign out");
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(like).toHaveAttribute("aria-pressed", "true");

  // Unlike.
  await like.click();
  await expect(like).toHaveAttribute("aria-pressed", "false");
  await expect(like).toContainText("0");

  // Edit.
  await post.getByRole("button", { name: "Edit" }).click();
  const edited = `${text} (edited)`;
  await post.getByRole("textbox", { name: "Edit post" }).fill(edited);
  await post.getByRole("button", { name: "Save" }).click();
  await expect(post.locator(".body")).toHaveText(edited);
  await expect(post.locator(".edited")).toBeVisible();

  // Delete.
  await post.getByRole("button", { name: "Delete" }).click();
  await expect(postWith(page, text)).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(postWith(page, text)).toHaveCount(0);

  // Sign out: the like button now asks the visitor to sign in.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" }).first()).toBeVisible();
  await hydrated(page);
  const anyLike = page.locator("article.post button.like").first();
  const before = await anyLike.getAttribute("aria-pressed");
  await anyLike.click();
  await expect(page.getByText("to like posts.").first()).toBeVisible();
  await expect(anyLike).toHaveAttribute("aria-pressed", before!);

  expect(problems).toEqual([]);
});

test("the feed pages with and without JavaScript", async ({ page, browser }) => {
  const problems = watchConsole(page);
  await page.goto("/");
  await hydrated(page);
  const posts = page.locator("article.post");
  await expect(posts).toHaveCount(20);
  const firstPage = await posts.evaluateAll((els) => els.map((e) => e.getAttribute("data-post-id")));
  await page.getByRole("link", { name: "Load more" }).click();
  await expect(posts).toHaveCount(40);
  await expect(page).toHaveURL(/\/$/); // appended in place, no navigation
  const ids = await posts.evaluateAll((els) => els.map((e) => e.getAttribute("data-post-id")));
  expect(new Set(ids).size).toBe(40);
  expect(ids.slice(0, 20)).toEqual(firstPage);
  expect(problems).toEqual([]);

  // Without JavaScript, "Load more" is a plain link to the next page.
  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto("/");
  await expect(plain.locator("article.post")).toHaveCount(20);
  await plain.getByRole("link", { name: "Load more" }).click();
  await expect(plain).toHaveURL(/\?cursor=\d+$/);
  const next = await plain.locator("article.post").evaluateAll((els) => els.map((e) => e.getAttribute("data-post-id")));
  expect(next).toEqual(ids.slice(20, 40));
  await noJs.close();
});

test("a post's page and an author's page", async ({ page }) => {
  const problems = watchConsole(page);
  await page.goto("/");
  await hydrated(page);
  const first = page.locator("article.post").first();
  const author = (await first.locator("a.author").textContent())!;
  const time = first.locator("time");
  await expect(time).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);
  await expect(time).toHaveAttribute("title", /UTC$/);

  await first.locator("a.permalink").click();
  await expect(page).toHaveURL(/\/posts\/\d+$/);
  await expect(page.locator("article.post")).toHaveCount(1);

  await page.locator("article.post a.author").click();
  await expect(page).toHaveURL(/\/u\/[a-z][a-z0-9_]*$/);
  await expect(page.getByRole("heading", { name: author })).toBeVisible();
  const authors = await page.locator("article.post a.author").allTextContents();
  expect(authors.length).toBeGreaterThan(0);
  expect(new Set(authors)).toEqual(new Set([author]));

  const missing = await page.goto("/posts/999999");
  expect(missing!.status()).toBe(404);
  await expect(page.getByText("does not exist")).toBeVisible();
  expect(problems.filter((p) => !p.includes("404"))).toEqual([]);
});

test("a refused like rolls back and says why", async ({ page, request }) => {
  const problems = watchConsole(page);
  // Ada (a demo account) posts through the REST API; Grace reads the feed in the browser.
  const token = await request.post("/api/v1/token", { data: { email: "ada@example.com", password: "mublog-demo" } });
  const auth = { Authorization: `Bearer ${(await token.json()).access_token}` };
  const created = await request.post("/api/v1/posts", { data: { body: `Soon gone ${Date.now()}` }, headers: auth });
  const id = (await created.json()).id;

  // With the live stream, the page would mark the post removed before Grace could click: this
  // is the page without it (a blocked stream), as it was before live updates.
  await page.route("**/api/v1/events?**", (route) => route.abort());
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").fill("grace@example.com");
  await page.getByLabel("Password").fill("mublog-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  const post = page.locator(`article[data-post-id="${id}"]`);
  await expect(post).toBeVisible();

  // The post disappears on the server before Grace clicks.
  expect((await request.delete(`/api/v1/posts/${id}`, { headers: auth })).status()).toBe(204);
  const like = post.locator("button.like");
  await like.click();
  await expect(post.getByRole("alert")).toContainText("does not exist");
  await expect(like).toHaveAttribute("aria-pressed", "false");
  await expect(like).toContainText("0");

  // The only console errors are the browser reporting that refused request, and the blocked
  // stream.
  expect(problems.filter((p) => !p.includes("status of 404") && !p.includes("ERR_FAILED"))).toEqual([]);
  expect(problems.filter((p) => p.includes("status of 404")).length).toBe(1);
});

test("a 401 triggers one refresh and one retry", async ({ page }) => {
  const problems = watchConsole(page);
  await signIn(page, "linus@example.com");

  // The server answers the next like as if the access token had expired.
  const calls: string[] = [];
  let rejected = false;
  await page.route("**/api/posts/like", async (route) => {
    calls.push(route.request().headers()["authorization"] ?? "");
    if (rejected) return route.continue();
    rejected = true;
    await route.fulfill({
      status: 401,
      headers: { "content-type": "application/json", serverfnerror: "/api/posts/like" },
      body: JSON.stringify({ code: "unauthenticated", message: "Sign in to do that." }),
    });
  });
  const refreshed = page.waitForResponse((r) => r.url().endsWith("/api/auth/refresh") && r.status() === 200);

  const like = page.locator("article.post button.like[aria-pressed=false]").first();
  const postId = await like.locator("xpath=ancestor::article").getAttribute("data-post-id");
  // The retry goes out after the refresh answers: wait for its answer, not just the
  // button, which turns pressed at once.
  const retried = page.waitForResponse((r) => r.url().endsWith("/api/posts/like") && r.status() === 200);
  await like.click();
  await refreshed;
  await retried;
  const post = page.locator(`article[data-post-id="${postId}"] button.like`);
  await expect(post).toHaveAttribute("aria-pressed", "true");
  expect(calls.length).toBe(2);
  expect(calls[1]).toMatch(/^Bearer /);
  expect(calls[1]).not.toBe(calls[0]); // retried with the fresh access token

  expect(problems.filter((p) => !p.includes("status of 401"))).toEqual([]);
});
