import { test, expect, type Page } from '@playwright/test';
import { createContacts, signUp, waitForHydration } from './helpers';

const rows = (page: Page) => page.getByTestId('contact-row');

async function addFilter(page: Page, field: string, op: string, value?: string) {
  await page.getByTestId('add-filter').click();
  const editor = page.getByTestId('filter-editor');
  await editor.getByTestId('filter-field').selectOption(field);
  await editor.getByTestId('filter-op').selectOption(op);
  if (value !== undefined) {
    const input = editor.getByTestId('filter-value');
    if ((await input.evaluate((el) => el.tagName)) === 'SELECT') {
      await input.selectOption(value);
    } else {
      await input.fill(value);
    }
  }
  await editor.getByTestId('apply-filter').click();
  await expect(editor).toBeHidden();
}

test('build a three-condition filter, reload, save it as a view and open it again', async ({ page }, testInfo) => {
  await signUp(page, 'Segments Co');
  await createContacts(page, Array.from({ length: 30 }, (_, i) => ({
    email: `lead${String(i).padStart(2, '0')}@${i % 2 ? 'gmail.com' : 'example.com'}`,
    firstName: `Lead${String(i).padStart(2, '0')}`,
    status: i % 5 === 0 ? 'bounced' : 'active',
    score: i * 3,
    attributes: { plan: i % 3 === 0 ? 'pro' : 'free' },
  })));
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('range-summary')).toHaveText('1–20 of 30');

  // score ≥ 30, plan = pro (an attribute discovered from the data), active.
  await addFilter(page, 'score', 'gte', '30');
  await expect(page).toHaveURL(/filter=score%3Agte%3A30/);
  await addFilter(page, 'attributes.plan', 'eq', 'pro');
  await addFilter(page, 'status', 'in', 'active');
  // Matches: i ≥ 10, i % 3 == 0, i % 5 != 0 → 12, 18, 21, 24, 27.
  await expect(rows(page)).toHaveCount(5);
  await expect(page.getByTestId('range-summary')).toHaveText('1–5 of 5');
  const chips = page.getByTestId('filter-chip');
  await expect(chips).toHaveText([/Score ≥ 30/, /plan is pro/, /Status is any of Active/]);
  await page.screenshot({ path: testInfo.outputPath('filters-1280.png'), fullPage: true });

  // A bad value is refused in place, before it reaches the URL.
  await page.getByTestId('add-filter').click();
  await page.getByTestId('filter-field').selectOption('score');
  await page.getByTestId('filter-op').selectOption('between');
  await page.getByTestId('filter-value').fill('50');
  await page.getByTestId('filter-value-high').fill('10');
  await page.getByTestId('apply-filter').click();
  await expect(page.getByTestId('filter-error')).toContainText('start is after its end');
  await page.getByTestId('filter-editor').getByRole('button', { name: 'Cancel' }).click();

  // Reload: the URL restores the same list.
  const url = page.url();
  await page.reload();
  await waitForHydration(page);
  await expect(rows(page)).toHaveCount(5);
  await expect(chips).toHaveCount(3);

  // Save it as a view.
  await page.getByTestId('save-view').click();
  await page.getByTestId('view-name').fill('Active pros');
  await page.getByTestId('save-view-form').getByRole('button', { name: 'Save' }).click();
  const view = page.getByTestId('view-item').filter({ hasText: 'Active pros' });
  await expect(view).toHaveCount(1);
  await expect(view.getByTestId('view-count')).toHaveText('5');

  // Remove a chip: the list widens; the view stays as saved.
  await chips.filter({ hasText: 'Status' }).getByRole('link').click();
  await expect(chips).toHaveCount(2);
  await expect(rows(page)).toHaveCount(6);

  // From another page, open the view.
  await page.goto('/');
  await page.goto('/contacts');
  await waitForHydration(page);
  await expect(rows(page)).toHaveCount(20);
  await page.getByTestId('view-item').filter({ hasText: 'Active pros' }).getByRole('link').click();
  await expect(rows(page)).toHaveCount(5);
  await expect(chips).toHaveCount(3);
  expect(new URL(page.url()).searchParams.getAll('filter')).toEqual(new URL(url).searchParams.getAll('filter'));

  // Rename, then delete it.
  const item = page.getByTestId('view-item').filter({ hasText: 'Active pros' });
  await item.locator('summary').click();
  await item.getByRole('button', { name: 'Rename' }).click();
  await page.getByTestId('rename-view').fill('Best pros');
  await page.getByTestId('view-item').getByRole('button', { name: 'Save' }).click();
  const renamed = page.getByTestId('view-item').filter({ hasText: 'Best pros' });
  await expect(renamed).toHaveCount(1);
  await renamed.locator('summary').click();
  await renamed.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByTestId('no-views')).toBeVisible();

  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: testInfo.outputPath('filters-390.png') });
});
