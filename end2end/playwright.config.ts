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
// Every process that loads this file makes its own folder; each removes its own on exit.
process.on("exit", () => fs.rmSync(dataDir, { recursive: true, force: true }));

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
  webServer: [{
    command: "./target/debug/mublog",
    cwd: "..",
    url: `${baseURL}/favicon.svg`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "target/site",
      LEPTOS_OUTPUT_NAME: "mublog",
      LEPTOS_HASH_FILES: "true",
      DATABASE_URL: `sqlite://${dataDir}/e2e.db`,
      // No SMTP: mail goes to this run's own outbox, listed at /dev/mail.
      MUBLOG_DATA_DIR: dataDir,
      MUBLOG_PUBLIC_URL: baseURL,
      MUBLOG_JWT_SECRET: "end-to-end-tests-only-secret-0123456789",
      RUST_LOG: "warn",
      // The Trunk build below calls this server from its own origin.
      MUBLOG_CORS_ORIGINS: spaURL,
    },
  }, {
    // The static (client-side-rendered) build from `trunk build`, on another origin.
    command: `python3 -m http.server ${spaPort} --bind 127.0.0.1 --directory target/csr`,
    cwd: "..",
    url: `${spaURL}/index.html`,
    reuseExistingServer: false,
    timeout: 30_000,
  }],
});
