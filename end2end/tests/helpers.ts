import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'correct horse battery';

export function uniqueEmail(tag: string): string {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

/** Waits until the WASM client has taken over the page. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.hydrated === 'yes');
}

/** Signs up a new workspace through the page and lands on the contact list. */
export async function signUp(page: Page, workspace: string): Promise<string> {
  const email = uniqueEmail(workspace.toLowerCase().replace(/\W+/g, '-'));
  await page.goto('/signup');
  await waitForHydration(page);
  await page.getByLabel('Workspace name').fill(workspace);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page).toHaveURL(/\/contacts$/);
  await expect(page.getByTestId('workspace-name')).toHaveText(workspace);
  return email;
}

/** Creates contacts over the REST API with the page's session cookie. */
export async function createContacts(page: Page, contacts: Record<string, unknown>[]): Promise<void> {
  for (const contact of contacts) {
    const res = await page.request.post('/api/v1/contacts', { data: contact });
    expect(res.status(), await res.text()).toBe(201);
  }
}
