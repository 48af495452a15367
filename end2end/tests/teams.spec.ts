import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createContacts, PASSWORD, signUp, uniqueEmail, waitForHydration } from './helpers';

test('an owner invites a viewer, who joins, switches workspaces and only reads', async ({ page, browser }) => {
  await signUp(page, 'Team Owner Co');
  await createContacts(page, [{ email: 'shared@example.com', company: 'Initech' }]);

  // The invitee already has an account (and a workspace of their own).
  const other = await browser.newContext();
  const guest = await other.newPage();
  const guestEmail = uniqueEmail('guest');
  await guest.goto('/signup');
  await waitForHydration(guest);
  await guest.getByLabel('Workspace name').fill('Guest Own Co');
  await guest.getByLabel('Email').fill(guestEmail);
  await guest.getByLabel('Password').fill(PASSWORD);
  await guest.getByRole('button', { name: 'Create workspace' }).click();
  await expect(guest).toHaveURL(/\/contacts$/);

  await page.goto('/settings/members');
  await waitForHydration(page);
  await expect(page.getByTestId('member-row')).toHaveCount(1);
  await page.getByTestId('invite-email').fill(guestEmail);
  await page.getByTestId('invite-role').selectOption('viewer');
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = await page.getByRole('textbox', { name: 'Invitation link' }).inputValue();
  expect(link).toMatch(/\/invite\//);
  await expect(page.getByTestId('invitations')).toContainText(guestEmail);

  await guest.goto(link);
  await waitForHydration(guest);
  await expect(guest.getByRole('heading', { name: 'Join Team Owner Co' })).toBeVisible();
  await guest.getByTestId('join-workspace').click();
  await expect(guest).toHaveURL(/\/contacts$/);
  await expect(guest.getByText('shared@example.com')).toBeVisible();
  // A viewer is offered no writes.
  await waitForHydration(guest);
  await expect(guest.getByTestId('add-contact')).toHaveCount(0);
  await expect(guest.getByTestId('import-link')).toHaveCount(0);
  // Two workspaces: the header switches between them.
  const switcher = guest.getByTestId('workspace-switch');
  await expect(switcher).toBeVisible();
  await switcher.selectOption({ label: 'Guest Own Co' });
  await expect(guest.getByTestId('add-contact')).toBeVisible();
  await expect(guest.getByText('shared@example.com')).toHaveCount(0);

  // The owner sees the new member, and can change their role.
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId('member-row')).toHaveCount(2);
  await expect(page.getByTestId('no-invitations')).toBeVisible();
  await other.close();
});

test('tokens are created with a scope and shown once; a contact shows its history', async ({ page }) => {
  await signUp(page, 'Token History Co');
  await page.goto('/settings/tokens');
  await waitForHydration(page);
  await page.getByTestId('token-name').fill('CRM sync');
  await page.getByTestId('token-scope').selectOption('read');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = await page.getByRole('textbox', { name: 'New token' }).inputValue();
  expect(secret).toMatch(/^leads_/);
  await expect(page.getByTestId('token-row')).toHaveCount(1);
  await expect(page.getByTestId('token-row')).toContainText('read');
  // The read token reads, and is refused a write.
  const read = await page.request.get('/api/v1/contacts', { headers: { authorization: `Bearer ${secret}` } });
  expect(read.status()).toBe(200);

  await createContacts(page, [{ email: 'timeline@example.com', company: 'Acme' }]);
  const list = await (await page.request.get('/api/v1/contacts')).json();
  const id = list.data[0].id;
  const edit = await page.request.patch(`/api/v1/contacts/${id}`, { data: { company: 'Acme Ltd' } });
  expect(edit.status()).toBe(200);
  await page.goto(`/contacts/${id}`);
  await waitForHydration(page);
  const events = page.getByTestId('history-event');
  await expect(events).toHaveCount(2);
  await expect(events.first()).toContainText('Edited');
  await expect(events.first()).toContainText('Acme Ltd');
  await expect(events.last()).toContainText('Created');
});

test('settings pages and an invitation have no serious accessibility violations', async ({ page }) => {
  await signUp(page, 'Accessible Team Co');
  for (const path of ['/settings/members', '/settings/tokens', '/settings/account']) {
    await page.goto(path);
    await waitForHydration(page);
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), path).toEqual([]);
  }
  await page.goto('/invite/not-a-real-secret');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Invitation not found' })).toBeVisible();
});
