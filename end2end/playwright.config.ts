import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';

// Port the release binary listens on during the end-to-end run.
const PORT = Number(process.env.E2E_PORT ?? 3199);
const BASE_URL = `http://127.0.0.1:${PORT}`;

// Absolute path of the repository root (this file lives in end2end/).
const REPO_ROOT = path.resolve(__dirname, '..');
// cargo-leptos puts the server binary here (./target may be a symlink in CI).
const SERVER_BIN = process.env.LEADS_BIN ?? path.join(REPO_ROOT, 'target', 'release', 'leads');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const IN_CI = !!process.env.CI;

// Single-quote a string for bash.
const shq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

// The binary embeds all site assets, so it is started from a fresh, empty
// temporary directory: it creates ./data/leads.db (SQLite) there itself.
// DATABASE_URL is deliberately removed so the SQLite default is used.
const serverCommand =
  `bash -c ${shq(
    `set -e; D=$(mktemp -d "\${TMPDIR:-/tmp}/leads-e2e.XXXXXX"); cd "$D"; ` +
      `unset DATABASE_URL; LEPTOS_SITE_ADDR=127.0.0.1:${PORT} exec ${shq(SERVER_BIN)}`,
  )}`;

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  forbidOnly: IN_CI,
  retries: IN_CI ? 1 : 0,
  workers: 1,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { outputFolder: 'playwright-report', open: 'never' }]],
  outputDir: 'test-results',
  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: CHROMIUM,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    command: serverCommand,
    url: `${BASE_URL}/healthz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      RUST_LOG: 'info',
      // Every spec signs up from this one address.
      LEADS_SIGNUPS_PER_MINUTE: '1000',
    },
  },
});
