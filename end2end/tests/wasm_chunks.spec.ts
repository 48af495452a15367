import { test, expect, type Page } from '@playwright/test';
import { signUp, waitForHydration } from './helpers';

// The client is cut into a main bundle and a chunk per lazily loaded page (app/src/lazy_pages.rs).

/** The WASM files the page fetches from now on, by name. */
function wasmFetches(page: Page): string[] {
  const names: string[] = [];
  page.on('request', (req) => {
    const path = new URL(req.url()).pathname;
    if (path.startsWith('/pkg/') && path.endsWith('.wasm')) names.push(path.slice('/pkg/'.length));
  });
  return names;
}

test('the sign-in page needs only the main bundle, which stays within 350 KB gzipped', async ({
  page,
}) => {
  const fetched = wasmFetches(page);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));

  await page.goto('/login');
  await waitForHydration(page);
  expect([...new Set(fetched)]).toEqual(['leads.wasm']);

  const gz = await page.request.get('/pkg/leads.wasm', { headers: { 'accept-encoding': 'gzip' } });
  expect(gz.headers()['content-encoding']).toBe('gzip');
  const size = Number(gz.headers()['content-length']);
  expect(size).toBeGreaterThan(0);
  expect(size).toBeLessThanOrEqual(350_000);
  expect(errors).toEqual([]);
});

test('a page behind sign-in loads its own chunks and hydrates with them', async ({ page }) => {
  await signUp(page, 'Chunks');
  const fetched = wasmFetches(page);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));

  await page.goto('/settings/tokens');
  await waitForHydration(page);

  // The page's own group of chunks came, and no other group's.
  expect(fetched.some((name) => /^split_settings_page_\d+\.wasm$/.test(name))).toBe(true);
  expect(fetched).toContain('leads.wasm');
  expect(fetched.some((name) => name.startsWith('split_contacts_page'))).toBe(false);

  // Hydrated with its chunk: the form is handled by the client (unhydrated, it would navigate).
  await page.getByTestId('token-name').fill('chunked');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('new-token')).toContainText('chunked');
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  expect(errors).toEqual([]);
});

/** The WASM files a page's HTML preloads, in order. */
function wasmPreloads(html: string): string[] {
  return [...html.matchAll(/<link\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => /\brel="preload"/.test(tag))
    .map((tag) => /\bhref="\/pkg\/([^"]+\.wasm)"/.exec(tag)?.[1])
    .filter((name): name is string => !!name);
}

test('every render of a page behind sign-in preloads its own chunks, also under concurrent load', async ({
  page,
}) => {
  await signUp(page, 'Preloads');
  const check = async (i: number) => {
    const tokens = i % 2 === 1;
    const res = await page.request.get(tokens ? '/settings/tokens' : '/contacts');
    expect(res.status()).toBe(200);
    const preloads = wasmPreloads(await res.text());
    const own = tokens ? 'split_settings_page_' : 'split_contacts_page_';
    const other = tokens ? 'split_contacts_page_' : 'split_settings_page_';
    expect(preloads, `render ${i}`).toContain('leads.wasm');
    expect(preloads.some((name) => name.startsWith(own)), `render ${i}`).toBe(true);
    expect(preloads.some((name) => name.startsWith(other)), `render ${i}`).toBe(false);
    expect(new Set(preloads).size, `render ${i}`).toBe(preloads.length);
  };
  // One at a time, then 24 at once: each render must name its own page's chunks, and only those.
  for (let i = 0; i < 12; i++) await check(i);
  await Promise.all(Array.from({ length: 24 }, (_, i) => check(i)));

  // The browser uses what was preloaded: each file is fetched once.
  const fetched = wasmFetches(page);
  await page.goto('/settings/tokens');
  await waitForHydration(page);
  expect(fetched.length).toBeGreaterThan(1);
  expect(new Set(fetched).size).toBe(fetched.length);
});
