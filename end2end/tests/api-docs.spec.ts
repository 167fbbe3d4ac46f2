import { test, expect, type Page } from "@playwright/test";

/** Only the app's own origin may be contacted: the docs UIs must not need a CDN. */
async function offline(page: Page): Promise<string[]> {
  const blocked: string[] = [];
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  return blocked;
}

function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
  page.on("pageerror", (err) => errors.push(err.message));
  return errors;
}

test("the REST docs UI renders the live OpenAPI document without internet", async ({ page }) => {
  const blocked = await offline(page);
  const errors = consoleErrors(page);
  await page.goto("/api/docs");
  await expect(page.getByText("mublog REST API")).toBeVisible();
  await expect(page.locator(".opblock")).toHaveCount(18);

  // Try one call from the page.
  await page.locator(".opblock-get", { hasText: "/posts" }).first().locator(".opblock-summary").click();
  await page.getByRole("button", { name: "Try it out" }).click();
  await page.getByRole("button", { name: "Execute" }).click();
  await expect(page.locator(".live-responses-table tr.response td.response-col_status").first()).toHaveText("200");

  expect(blocked).toEqual([]);
  expect(errors).toEqual([]);
});

test("GraphiQL runs a query without internet", async ({ page }) => {
  const blocked = await offline(page);
  const errors = consoleErrors(page);
  await page.goto("/graphql");
  await expect(page.locator(".graphiql-container")).toBeVisible();
  const editor = page.locator(".graphiql-query-editor .CodeMirror").first();
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.type("{ posts(first: 2) { nodes { id body } } }");
  await page.getByRole("button", { name: /Execute query/ }).click();
  await expect(page.locator(".graphiql-response")).toContainText('"nodes"');

  expect(blocked).toEqual([]);
  expect(errors).toEqual([]);
});
