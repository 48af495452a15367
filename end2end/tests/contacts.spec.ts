import { test, expect, type Page } from '@playwright/test';
import { createContacts, signUp, uniqueEmail, waitForHydration } from './helpers';

const rows = (page: Page) => page.getByTestId('contact-row');

test('a contact goes through its whole life in the table', async ({ page }, testInfo) => {
  await signUp(page, 'Lifecycle Co');
  await expect(page.getByTestId('empty-state')).toContainText('No contacts yet — add your first');

  // Add a contact through the modal, with two custom attributes.
  await page.getByTestId('add-contact').click();
  const modal = page.getByTestId('add-contact-modal');
  await expect(modal).toBeVisible();
  await expect(modal.getByLabel('Email')).toBeFocused();
  await modal.getByLabel('Email').fill('grace@navy.example');
  await modal.getByLabel('First Name').fill('Grace');
  await modal.getByLabel('Last Name').fill('Hopper');
  await modal.getByLabel('Company').fill('Univac Systems');
  await modal.getByLabel('Status').selectOption('bounced');
  await modal.getByLabel('Score').fill('88');
  await modal.getByRole('button', { name: '+ Add attribute' }).click();
  await modal.getByLabel('Key').nth(0).fill('plan');
  await modal.getByLabel('Value').nth(0).fill('enterprise');
  await modal.getByRole('button', { name: '+ Add attribute' }).click();
  await modal.getByLabel('Key').nth(1).fill('seats');
  await modal.getByLabel('Value').nth(1).fill('42');
  await page.screenshot({ path: testInfo.outputPath('add-contact-modal.png') });
  await modal.getByRole('button', { name: 'Add contact' }).click();
  await expect(modal).toBeHidden();

  const row = rows(page).filter({ hasText: 'grace@navy.example' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Grace Hopper');
  await expect(row).toContainText('Univac Systems');
  await expect(row.locator('.badge-bounced')).toHaveText('Bounced');
  await expect(row).toContainText('88');

  // More contacts to search, filter, sort and page through.
  await createContacts(page, Array.from({ length: 24 }, (_, i) => ({
    email: `person${String(i).padStart(2, '0')}@example.com`,
    firstName: `Person${String(i).padStart(2, '0')}`,
    company: i % 2 ? 'Globex' : 'Initech',
    status: i % 3 ? 'active' : 'unsubscribed',
    score: i,
  })));
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('range-summary')).toHaveText('1–20 of 25');
  await page.screenshot({ path: testInfo.outputPath('contact-table.png'), fullPage: true });

  // Search by a fragment of the company, as you type.
  await page.getByLabel('Search contacts').fill('vac sys');
  await expect(page).toHaveURL(/search=vac%20sys/);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText('grace@navy.example');

  // Filter by status.
  await page.getByLabel('Search contacts').fill('');
  await expect(page).not.toHaveURL(/search=/);
  await page.getByTestId('status-filter').selectOption('unsubscribed');
  await expect(page).toHaveURL(/status=unsubscribed/);
  await expect(page.getByTestId('range-summary')).toHaveText('1–8 of 8');
  await expect(rows(page).locator('.badge-unsubscribed')).toHaveCount(8);
  await page.getByTestId('status-filter').selectOption('');

  // Sort by score, ascending, then descending.
  await page.getByTestId('sort-score').click();
  await expect(page).toHaveURL(/sort=score&order=desc/);
  await expect(rows(page).first()).toContainText('grace@navy.example');
  await page.getByTestId('sort-score').click();
  await expect(page).toHaveURL(/sort=score&order=asc/);
  await expect(rows(page).first()).toContainText('person00@example.com');

  // Page.
  await page.getByTestId('next-page').click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByTestId('range-summary')).toHaveText('21–25 of 25');
  await expect(rows(page)).toHaveCount(5);
  await expect(rows(page).last()).toContainText('grace@navy.example');

  // The URL holds the whole state: a reload restores it exactly, and so does back.
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('range-summary')).toHaveText('21–25 of 25');
  await expect(rows(page).last()).toContainText('grace@navy.example');
  await page.goBack();
  await expect(page.getByTestId('range-summary')).toHaveText('1–20 of 25');
  await expect(rows(page).first()).toContainText('person00@example.com');

  // Edit on the detail page.
  await page.goto('/contacts?search=grace');
  await rows(page).first().getByRole('link', { name: 'grace@navy.example' }).click();
  await expect(page.getByTestId('contact-title')).toHaveText('Grace Hopper');
  await expect(page.getByTestId('contact-attributes')).toContainText('enterprise');
  await expect(page.getByTestId('contact-attributes')).toContainText('42');
  await waitForHydration(page);
  await page.getByTestId('edit-contact').click();
  const edit = page.getByTestId('edit-contact-modal');
  await expect(edit.getByLabel('Email')).toHaveValue('grace@navy.example');
  await edit.getByLabel('Company').fill('US Navy');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByTestId('detail-company')).toHaveText('US Navy');

  // Delete with confirmation, from the table.
  await page.goto('/contacts?search=grace');
  await waitForHydration(page);
  await rows(page).first().getByLabel('Actions').click();
  await rows(page).first().getByRole('button', { name: 'Delete' }).click();
  const confirm = page.getByTestId('confirm-dialog');
  await expect(confirm).toContainText('grace@navy.example');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(rows(page)).toHaveCount(1);
  await rows(page).first().getByLabel('Actions').click();
  await rows(page).first().getByRole('button', { name: 'Delete' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByTestId('empty-state')).toContainText('No contacts match');
  const res = await page.request.get('/api/v1/contacts?search=grace');
  expect((await res.json()).meta.total).toBe(0);
});

test('the form shows validation and duplicate errors in place', async ({ page }) => {
  await signUp(page, 'Validation Co');
  await createContacts(page, [{ email: 'taken@example.com' }]);
  await page.reload();
  await waitForHydration(page);

  await page.getByTestId('add-contact').click();
  const modal = page.getByTestId('add-contact-modal');
  await modal.getByLabel('Email').fill('nope');
  await modal.getByLabel('Score').fill('12.5');
  await modal.getByLabel('Score').blur();
  await expect(modal.getByTestId('error-email')).toContainText('email address');
  await expect(modal.getByTestId('error-score')).toContainText('whole number');
  await modal.getByRole('button', { name: '+ Add attribute' }).click();
  await modal.getByRole('button', { name: '+ Add attribute' }).click();
  await modal.getByLabel('Key').nth(0).fill('plan');
  await modal.getByLabel('Key').nth(1).fill('plan');
  await expect(modal.getByTestId('attribute-row').nth(1)).toContainText('Duplicate key');
  await modal.getByRole('button', { name: 'Add contact' }).click();
  await expect(modal).toBeVisible();

  await modal.getByRole('button', { name: 'Remove attribute' }).nth(1).click();
  await modal.getByLabel('Score').fill('12');
  await modal.getByLabel('Email').fill('TAKEN@example.com');
  await modal.getByRole('button', { name: 'Add contact' }).click();
  await expect(modal.getByTestId('form-error')).toContainText('A contact with this email already exists');
  await expect(modal.getByRole('link', { name: 'Open it' })).toHaveAttribute('href', /\/contacts\/[0-9a-f-]{36}$/);

  // Escape dismisses the modal and focus returns to the button that opened it.
  await page.keyboard.press('Escape');
  await expect(modal).toBeHidden();
  await expect(page.getByTestId('add-contact')).toBeFocused();
});

test('two workspaces never see each other', async ({ browser }) => {
  const alice = await (await browser.newContext()).newPage();
  const bob = await (await browser.newContext()).newPage();
  await signUp(alice, 'Alice Inc');
  await signUp(bob, 'Bob LLC');
  const aliceEmail = uniqueEmail('alice-lead');
  await createContacts(alice, [{ email: aliceEmail, company: 'Shared Name Ltd' }]);
  await createContacts(bob, [{ email: uniqueEmail('bob-lead'), company: 'Shared Name Ltd' }]);

  await alice.goto('/contacts?search=shared');
  await bob.goto('/contacts?search=shared');
  await expect(rows(alice)).toHaveCount(1);
  await expect(rows(bob)).toHaveCount(1);
  await expect(rows(alice).first()).toContainText(aliceEmail);
  await expect(rows(bob).first()).not.toContainText(aliceEmail);

  // Bob cannot open Alice's contact, even with its id.
  const aliceId = await rows(alice).first().getAttribute('data-id');
  const res = await bob.goto(`/contacts/${aliceId}`);
  expect(res?.status()).toBe(404);
  await expect(bob.getByText('Not found')).toBeVisible();
  const api = await bob.request.get(`/api/v1/contacts/${aliceId}`);
  expect(api.status()).toBe(404);
});

test('the contact list fits a phone screen', async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page, 'Phone Co');
  await createContacts(page, [
    { email: 'ada@analytical.example', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', score: 99 },
    { email: 'alan@bletchley.example', firstName: 'Alan', lastName: 'Turing', company: 'Bletchley Park', status: 'bounced' },
  ]);
  await page.reload();
  await waitForHydration(page);
  await expect(rows(page)).toHaveCount(2);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, 'no horizontal scrolling').toBeLessThanOrEqual(0);
  await page.screenshot({ path: testInfo.outputPath('contact-table-390.png'), fullPage: true });
  await page.getByTestId('add-contact').click();
  await page.screenshot({ path: testInfo.outputPath('add-contact-modal-390.png') });
});

test('the contact list fits desktop and tablet screens', async ({ page }, testInfo) => {
  await signUp(page, 'Desk Co');
  await createContacts(page, [
    { email: 'katherine.lamarr294@wayneenterprises.example', firstName: 'Katherine', lastName: 'Lamarr', company: 'Wayne Enterprises', status: 'unsubscribed' },
    { email: 'donald.stroustrup295@piedpiper.example', firstName: 'Donald', lastName: 'Stroustrup', company: 'Pied Piper', score: 15 },
  ]);
  // 1280: beside the saved views; 1024: below them; 820 and 721: a tablet, where the rows are cards.
  for (const width of [1280, 1024, 820, 721]) {
    await page.setViewportSize({ width, height: 900 });
    await page.reload();
    await waitForHydration(page);
    await expect(rows(page)).toHaveCount(2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `no horizontal scrolling at ${width} px`).toBeLessThanOrEqual(0);
    // Every column, the row menu included, is inside the table's frame.
    const spill = await page.evaluate(() => {
      const wrap = document.querySelector('.table-wrap')!;
      return wrap.querySelector('table')!.getBoundingClientRect().right - wrap.getBoundingClientRect().right;
    });
    expect(spill, `the table fits its frame at ${width} px`).toBeLessThanOrEqual(1);
    await page.screenshot({ path: testInfo.outputPath(`contact-table-${width}.png`) });
  }
});
