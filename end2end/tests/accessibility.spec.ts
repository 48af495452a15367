import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createContacts, signUp, waitForHydration } from './helpers';

/** Fails on any serious or critical axe-core violation, listing each rule and node. */
async function expectNoSeriousViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = serious
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} node(s): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
    .join('\n');
  expect(serious, `${what}:\n${report}`).toEqual([]);
}

test('sign-in and sign-up pages have no serious accessibility violations', async ({ page }) => {
  await page.goto('/login');
  await waitForHydration(page);
  await expectNoSeriousViolations(page, '/login');
  await page.goto('/signup');
  await waitForHydration(page);
  await expectNoSeriousViolations(page, '/signup');
});

test('the contacts page, its filter bar, views, bulk bar and modal have no serious violations', async ({ page }) => {
  await signUp(page, 'Accessible Co');
  await createContacts(page, Array.from({ length: 12 }, (_, i) => ({
    email: `a11y${i}@example.com`,
    firstName: `Person${i}`,
    company: 'Initech',
    status: ['active', 'bounced', 'unsubscribed'][i % 3],
    score: i * 7,
    attributes: { plan: i % 2 ? 'pro' : 'free' },
  })));
  const view = await page.request.post('/api/v1/views', { data: { name: 'Pro plan', query: 'filter=attributes.plan%3Aeq%3Apro' } });
  expect(view.status()).toBe(201);
  await page.goto('/contacts?filter=score%3Agte%3A7');
  await waitForHydration(page);
  await page.getByTestId('select-row').first().click();
  await page.getByTestId('add-filter').click();
  await expect(page.getByTestId('filter-editor')).toBeVisible();
  await expectNoSeriousViolations(page, '/contacts with chips, editor, views and bulk bar');

  await page.getByTestId('add-contact').click();
  await expect(page.getByTestId('add-contact-modal')).toBeVisible();
  await expectNoSeriousViolations(page, 'the add-contact modal');
});

test('the import page, with a file and its column mapping, has no serious violations', async ({ page }) => {
  await signUp(page, 'Accessible Import Co');
  await page.goto('/contacts/import');
  await waitForHydration(page);
  await expectNoSeriousViolations(page, '/contacts/import');

  await page.getByTestId('import-file').setInputFiles({
    name: 'people.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('Email,Name,Plan,Notes\nada@example.com,Ada Lovelace,pro,first\nbob@example.com,Bob,free,\n'),
  });
  await expect(page.getByTestId('import-preview')).toBeVisible();
  // An ignored column, an attribute's key field and a mapping problem, all on screen.
  await page.getByTestId('import-mapping-3').selectOption('ignore');
  await page.getByTestId('import-mapping-1').selectOption('email');
  await expect(page.getByTestId('import-attribute-key-2')).toBeVisible();
  await expect(page.getByTestId('import-mapping-problems')).toBeVisible();
  await expectNoSeriousViolations(page, '/contacts/import with a preview');
});
