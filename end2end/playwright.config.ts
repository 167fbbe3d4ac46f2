import { defineConfig } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";

// The server under test: the binary `cargo leptos build` made, on its own port and a fresh
// SQLite file (seeded with the demo content), so runs never disturb a developer's database.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const spaPort = Number(process.env.E2E_SPA_PORT ?? 3200);
const spaURL = `http://127.0.0.1:${spaPort}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "mublog-e2e-"));
// A second server behind the DjaoDjin session proxy, in development with mockup sessions
// (tests/proxy.spec.ts): the README's example file.
const proxyPort = Number(process.env.E2E_PROXY_PORT ?? 3400);
const proxyDir = path.join(dataDir, "proxy");
fs.mkdirSync(proxyDir);
const proxyMockups = path.join(proxyDir, "mockups.json");
fs.writeFileSync(proxyMockups, readmeMockups());
// Every process that loads this file makes its own folder; each removes its own on exit.
process.on("exit", () => fs.rmSync(dataDir, { recursive: true, force: true }));

/** The example mockup sessions of the README's "Mockup sessions" (one source for both). */
function readmeMockups(): string {
  const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
  const example = readme.slice(readme.indexOf("**Mockup sessions**"));
  return example.slice(example.indexOf("```json") + 7, example.indexOf("```", example.indexOf("```json") + 7));
}

/** The built server on `port`, with its database and outbox (no SMTP: mail is listed at
 * /dev/mail) in `dir`, and `env` added. */
function mublogServer(port: number, dir: string, env: Record<string, string>) {
  const url = `http://127.0.0.1:${port}`;
  return {
    command: "./target/debug/mublog",
    cwd: "..",
    url: `${url}/favicon.svg`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe" as const,
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_OUTPUT_NAME: "mublog",
      LEPTOS_HASH_FILES: "true",
      DATABASE_URL: `sqlite://${dir}/e2e.db`,
      MUBLOG_DATA_DIR: dir,
      MUBLOG_PUBLIC_URL: url,
      MUBLOG_JWT_SECRET: "end-to-end-tests-only-secret-0123456789",
      RUST_LOG: "warn",
      ...env,
    },
  };
}

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: true,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [{ name: "chromium" }],
  webServer: [
    mublogServer(port, dataDir, {
      // The Trunk build below calls this server from its own origin.
      MUBLOG_CORS_ORIGINS: spaURL,
    }),
    mublogServer(proxyPort, proxyDir, {
      MUBLOG_SESSION_PROXY: "djaodjin",
      MUBLOG_DJAODJIN_SECRET: "end-to-end-djaodjin-secret-0123456789",
      MUBLOG_DJAODJIN_MODE: "cookie",
      MUBLOG_DJAODJIN_POSTING_PLANS: "writer",
      MUBLOG_MOCKUP_SESSIONS: proxyMockups,
    }), {
    // The static (client-side-rendered) build from `trunk build`, on another origin.
    command: `python3 -m http.server ${spaPort} --bind 127.0.0.1 --directory target/csr`,
    cwd: "..",
    url: `${spaURL}/index.html`,
    reuseExistingServer: false,
    timeout: 30_000,
  }],
});
