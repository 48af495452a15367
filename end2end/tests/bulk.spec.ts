import { test, expect, type Page } from '@playwright/test';
import { createContacts, signUp, waitForHydration } from './helpers';

const rows = (page: Page) => page.getByTestId('contact-row');

test('select contacts, act on them, then on all matching as a job; export what the list shows', async ({ page }, testInfo) => {
  await signUp(page, 'Bulk Co');
  await createContacts(page, Array.from({ length: 45 }, (_, i) => ({
    email: `bulk${String(i).padStart(2, '0')}@example.com`,
    firstName: `Bulk${String(i).padStart(2, '0')}`,
    company: i % 3 === 0 ? 'Initech' : 'Globex',
    score: i,
  })));
  await page.goto('/contacts?sort=email&order=asc');
  await waitForHydration(page);
  await expect(rows(page)).toHaveCount(20);

  // A click, then a shift-click: a range of three.
  const boxes = page.getByTestId('select-row');
  await boxes.nth(0).click();
  await boxes.nth(2).click({ modifiers: ['Shift'] });
  await expect(page.getByTestId('bulk-count')).toHaveText('3 selected');
  await page.getByTestId('bulk-action').selectOption('status:bounced');
  await page.getByTestId('bulk-apply').click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toContainText('Set status to Bounced — 3 selected contacts?');
  await page.screenshot({ path: testInfo.outputPath('bulk-confirm-1280.png') });
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('notice')).toHaveText('Set status to Bounced: 3 updated');
  await expect(rows(page).locator('.badge-bounced')).toHaveCount(3);
  await expect(page.getByTestId('bulk-bar')).toBeHidden();

  // Filter to Globex (30), select the page, then all matching, and tag them as a job.
  await page.goto('/contacts?sort=email&order=asc&filter=company%3Aeq%3Aglobex');
  await waitForHydration(page);
  await expect(page.getByTestId('range-summary')).toHaveText('1–20 of 30');
  await page.getByTestId('select-page').check();
  await expect(page.getByTestId('bulk-count')).toHaveText('20 selected');
  await page.getByTestId('select-all-matching').click();
  await expect(page.getByTestId('bulk-count')).toHaveText('All 30 matching selected');
  await page.getByTestId('bulk-action').selectOption('set-attribute');
  await page.getByTestId('bulk-key').fill('segment');
  await page.getByTestId('bulk-value').fill('globex-2026');
  await page.getByTestId('bulk-apply').click();
  await expect(dialog).toContainText('Set segment to globex-2026 — all 30 contacts matching Company is globex?');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('job-state')).toHaveText('done');
  await expect(page.getByTestId('job-counts')).toContainText('30 of 30');
  await expect(page.getByTestId('notice')).toHaveText('Set attribute: 30 updated');
  await page.screenshot({ path: testInfo.outputPath('bulk-job-1280.png'), fullPage: true });

  // The attribute is there: filter on it.
  await page.goto('/contacts?filter=attributes.segment%3Aeq%3Aglobex-2026');
  await waitForHydration(page);
  await expect(page.getByTestId('range-summary')).toHaveText('1–20 of 30');

  // Export what the list shows, as CSV.
  const download = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const file = await (await download).path();
  const text = (await import('node:fs')).readFileSync(file, 'utf8');
  const lines = text.trim().split(/\r?\n/);
  expect(lines[0]).toBe('email,firstName,lastName,name,company,status,score,created,updated,attributes.segment');
  expect(lines).toHaveLength(31);

  // Delete a selection: two rows gone, the count down by two.
  await page.getByTestId('select-row').nth(0).click();
  await page.getByTestId('select-row').nth(1).click();
  await page.getByTestId('bulk-action').selectOption('delete');
  await page.getByTestId('bulk-apply').click();
  await expect(dialog).toContainText('2 selected contacts');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('notice')).toContainText('2 deleted');
  await expect(page.getByTestId('range-summary')).toHaveText('1–20 of 28');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('select-row').first().click();
  await page.screenshot({ path: testInfo.outputPath('bulk-390.png') });
});
