import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { signUp, waitForHydration } from './helpers';

const rows = (page: Page) => page.getByTestId('contact-row');
const mapped = (page: Page, column: number) =>
  page.getByTestId(`import-mapping-${column}`).locator('option:checked');

// As a spreadsheet in many locales saves it: a byte-order mark, semicolons, CRLF line ends.
// Quoted cells hold the separator and a line break (fine in an attribute, not in a name or a
// company); one row has an email that is not one.
const CSV =
  '\uFEFF' +
  [
    'E-mail;First Name;Company;Plan',
    'ada@example.com;Ada;Analytical Engines;pro',
    'grace@example.com;Grace;"Navy; Research Lab";"enterprise; billed\nyearly"',
    'linus@example.com;Linus;Kernel Org;free',
    'not-an-email;Broken;Nowhere;free',
    'margaret@example.com;Margaret;Apollo;pro',
    'alan@example.com;Alan;Bletchley;free',
  ].join('\r\n') +
  '\r\n';

test('import a CSV file: map its columns, see what happened, download the errors, undo it', async ({ page }, testInfo) => {
  test.setTimeout(60_000);
  await signUp(page, 'Import Co');
  await waitForHydration(page);
  await page.getByTestId('import-link').click();
  await expect(page).toHaveURL(/\/contacts\/import$/);
  await expect(page.getByRole('heading', { name: 'Import contacts' })).toBeVisible();
  await expect(page.getByTestId('no-imports')).toBeVisible();

  // Choose the file: the page shows its first rows and guesses where each column goes.
  await page.getByLabel('CSV file').setInputFiles({
    name: 'leads.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(CSV, 'utf8'),
  });
  const preview = page.getByTestId('import-preview');
  await expect(preview).toBeVisible();
  await expect(page.getByTestId('import-preview-caption')).toContainText('“leads.csv”, separated by semicolons');
  await expect(preview.getByRole('columnheader', { name: 'E-mail' })).toBeVisible();
  await expect(mapped(page, 0)).toHaveText('Email');
  await expect(mapped(page, 1)).toHaveText('First name');
  await expect(mapped(page, 2)).toHaveText('Company');
  await expect(mapped(page, 3)).toHaveText('Attribute “Plan”');
  await expect(preview.locator('tbody')).toContainText('Navy; Research Lab');
  await expect(preview.locator('tbody')).toContainText('enterprise; billed yearly');
  await expect(page.getByLabel('Add new and update existing')).toBeChecked();

  // Without an email column nothing can be matched: the page says so before sending anything.
  await page.getByTestId('import-mapping-0').selectOption('ignore');
  await expect(page.getByTestId('import-mapping-problems')).toContainText('no column is mapped to email');
  await expect(page.getByTestId('import-start')).toBeDisabled();
  await page.getByTestId('import-mapping-0').selectOption('email');
  await expect(page.getByTestId('import-mapping-problems')).toBeHidden();

  // The attribute's key can be renamed.
  await page.getByTestId('import-attribute-key-3').fill('plan');
  await expect(mapped(page, 3)).toHaveText('Attribute “plan”');

  await page.screenshot({ path: testInfo.outputPath('import-mapping-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: testInfo.outputPath('import-mapping-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 720 });

  // Import: the job runs, then the summary counts what happened.
  await page.getByTestId('import-start').click();
  const summary = page.getByTestId('import-summary');
  await expect(summary).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('import-summary-counts')).toContainText('5 created');
  await expect(page.getByTestId('import-summary-counts')).toContainText('1 failed');
  await expect(page).toHaveURL(/\/contacts\/import\?id=[0-9a-f-]{36}$/);
  const importUrl = page.url();

  // The failed row comes back as a CSV file, to fix and import again.
  const errorsLink = page.getByTestId('import-errors-link');
  await expect(errorsLink).toHaveText('Download 1 row with errors');
  const download = page.waitForEvent('download');
  await errorsLink.click();
  const errors = readFileSync(await (await download).path(), 'utf8');
  expect(errors).toContain('not-an-email');
  expect(errors).not.toContain('ada@example.com');

  const history = page.getByTestId('import-history-item');
  await expect(history).toHaveCount(1);
  await expect(history.first()).toContainText('leads.csv');
  await expect(history.first().getByTestId('import-history-state')).toHaveText('Done');
  await expect(history.first().getByTestId('import-history-errors')).toBeVisible();

  await page.screenshot({ path: testInfo.outputPath('import-summary-1280.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: testInfo.outputPath('import-summary-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 720 });

  // The contacts are there, with the quoted cells whole and the attribute under its new key.
  await summary.getByRole('link', { name: 'View contacts' }).click();
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(rows(page)).toHaveCount(5);
  await expect(rows(page).filter({ hasText: 'grace@example.com' })).toContainText('Navy; Research Lab');
  const grace = await page.request.get('/api/v1/contacts?search=grace%40example.com');
  expect(grace.status()).toBe(200);
  expect((await grace.json()).data[0].attributes).toEqual({ plan: 'enterprise; billed\nyearly' });
  await expect(rows(page).filter({ hasText: 'not-an-email' })).toHaveCount(0);
  await page.goto('/contacts?filter=attributes.plan%3Aeq%3Apro');
  await waitForHydration(page);
  await expect(page.getByTestId('range-summary')).toHaveText('1–2 of 2');

  // Back on the import (its address keeps it): undo it.
  await page.goto(importUrl);
  await waitForHydration(page);
  await expect(page.getByTestId('import-summary-counts')).toContainText('5 created');
  await page.getByTestId('import-undo').click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toContainText('Undo the import of “leads.csv”?');
  await dialog.getByRole('button', { name: 'Undo import' }).click();
  await expect(page.getByTestId('import-notice')).toContainText('Undo import: 5 deleted', { timeout: 20_000 });
  await expect(page.getByTestId('import-undone')).toBeVisible();
  await expect(page.getByTestId('import-undo')).toHaveCount(0);
  await expect(history.first().getByTestId('import-history-state')).toHaveText('Undone');
  await expect(history.first().getByTestId('import-history-undo')).toHaveCount(0);

  await page.goto('/contacts');
  await waitForHydration(page);
  await expect(page.getByTestId('empty-state')).toContainText('No contacts yet');
});

test('a signed-out visit to the import page goes to sign-in, remembering it', async ({ page }) => {
  await page.goto('/contacts/import');
  await expect(page).toHaveURL(/\/login\?next=.*contacts.*import/);
});
