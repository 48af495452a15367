import { test, expect } from '@playwright/test';

test('GET /healthz reports ok', async ({ request }) => {
  const res = await request.get('/healthz');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type'] ?? '').toContain('application/json');
  const body = await res.json();
  expect(body).toMatchObject({ status: 'ok' });
});

test('home page renders on the server and hydrates', async ({ page }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(`${err.name}: ${err.message}`));

  const res = await page.goto('/');
  expect(res?.status()).toBe(200);

  // Server-rendered header carries the product name.
  await expect(page.locator('header').first()).toContainText('Leads');

  // The probe says "no" in the SSR HTML and flips to "yes" once the WASM
  // client has hydrated and its effect has run.
  await expect(page.getByTestId('hydration-probe')).toHaveText('Hydrated: yes');

  expect(pageErrors, 'uncaught errors in the page').toEqual([]);
});
