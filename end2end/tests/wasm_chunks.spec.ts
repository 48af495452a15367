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

  // The page's own group of chunks came, and no other group's. (The server usually names them
  // in the HTML as preloads too, but not on every render, so the fetch is what is checked.)
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
