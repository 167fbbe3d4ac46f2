import { test, expect, type Page } from "@playwright/test";
import { hydrated, signIn } from "./helpers";


/** Visible controls whose accessible name is empty, or whose box is under 44 px. */
async function auditControls(page: Page) {
  return page.evaluate(() => {
    const problems: string[] = [];
    const controls = document.querySelectorAll<HTMLElement>("a[href], button, input:not([type=hidden]), textarea, select");
    for (const el of controls) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue; // not rendered
      const labelled = (el as HTMLInputElement).labels?.length
        ? Array.from((el as HTMLInputElement).labels!).map((l) => l.textContent).join(" ")
        : "";
      const name = (el.getAttribute("aria-label") || el.textContent || labelled || el.getAttribute("title") || "").trim();
      const what = `${el.tagName.toLowerCase()} "${name || el.outerHTML.slice(0, 60)}"`;
      if (!name) problems.push(`no accessible name: ${what}`);
      const checkbox = el.getAttribute("type") === "checkbox";
      if (!checkbox && box.height < 44) problems.push(`under 44 px tall (${Math.round(box.height)}): ${what}`);
    }
    return problems;
  });
}

test.describe("on a 320 px phone", () => {
  test.use({ viewport: { width: 320, height: 640 }, hasTouch: true, isMobile: true });

  test("pages fit, every control is named and big enough to tap", async ({ page }) => {
    for (const path of ["/", "/login", "/register", "/forgot", "/posts/1", "/u/ada"]) {
      await page.goto(path);
      await hydrated(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
      expect(await auditControls(page), path).toEqual([]);
    }
    // Signed in, with the composer and the account links.
    await signIn(page, "linus@example.com");
    expect(await auditControls(page)).toEqual([]);
    await page.goto("/settings");
    await hydrated(page);
    expect(await auditControls(page)).toEqual([]);
  });
});

test("dark mode follows the system, and a remembered choice applies before the first paint", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark" });
  const page = await context.newPage();
  await page.goto("/");
  await hydrated(page);
  const scheme = () => page.evaluate(() => getComputedStyle(document.documentElement).colorScheme);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const systemDark = await background();
  expect(await scheme()).toBe("light dark");

  // Cycle system → dark → light, and keep "light".
  const toggle = page.getByRole("button", { name: /^Theme:/ });
  await expect(toggle).toHaveAccessibleName("Theme: system");
  await toggle.click();
  await expect(toggle).toHaveAccessibleName("Theme: dark");
  await toggle.click();
  await expect(toggle).toHaveAccessibleName("Theme: light");
  expect(await scheme()).toBe("light");
  expect(await background()).not.toBe(systemDark);

  // On reload the choice is in place before any script of the app runs: the server's HTML
  // carries the boot script, and no frame is painted in the system's dark.
  await page.route("**/pkg/*.wasm", (route) => route.abort()); // no app at all
  await page.reload();
  expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("light");
  expect(await scheme()).toBe("light");
  await context.close();
});

test("everything works from the keyboard, with a visible focus", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Email").focus();
  await page.keyboard.type("grace@example.com");
  await page.keyboard.press("Tab");
  await page.keyboard.type("mublog-demo");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  // Tab to the first like button and press it.
  const like = page.locator("article.post button.like").first();
  const before = await like.getAttribute("aria-pressed");
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    if (await like.evaluate((el) => el === document.activeElement)) break;
  }
  await expect(like).toBeFocused();
  const outline = await like.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe("none");
  // The button ignores presses while its request is in flight: wait for the answer.
  const answered = page.waitForResponse((r) => r.url().endsWith("/api/posts/like"));
  await page.keyboard.press("Enter");
  await expect(like).not.toHaveAttribute("aria-pressed", before!);
  await answered;
  await page.keyboard.press("Enter"); // and back
  await expect(like).toHaveAttribute("aria-pressed", before!);
});
