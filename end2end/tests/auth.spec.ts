import { test, expect } from '@playwright/test';
import { PASSWORD, signUp, waitForHydration } from './helpers';

test('sign up, sign out, and sign in again to the page asked for', async ({ page }) => {
  const email = await signUp(page, 'Acme Sales');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId('workspace-name')).toHaveCount(0);

  // An app page asked for while signed out leads to the sign-in page, remembering it.
  await page.goto('/contacts?search=acme&sort=email&order=asc');
  await expect(page).toHaveURL(/\/login\?next=/);
  await waitForHydration(page);

  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('form-error')).toContainText('Wrong email or password');

  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/contacts\?search=acme&sort=email&order=asc$/);
  await expect(page.getByTestId('workspace-name')).toHaveText('Acme Sales');
});

test('sign-up errors are shown next to their fields', async ({ page }) => {
  await page.goto('/signup');
  await waitForHydration(page);
  await page.getByLabel('Workspace name').fill('Tiny');
  await page.getByLabel('Email').fill('not-an-email@x');
  await page.getByLabel('Password').fill('short12');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.locator('.field-error').filter({ hasText: 'at least 8 characters' })).toBeVisible();
  await expect(page.locator('.field-error').filter({ hasText: 'domain' })).toBeVisible();
  await expect(page).toHaveURL(/\/signup/);
});
