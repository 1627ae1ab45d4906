import { test, expect } from '@playwright/test';
import { hydrated, signedInPage, signIn, watchForErrors } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

// An owner invites a colleague, who chooses a password from the link and signs in; the
// invitation is in the audit log.
test('an owner invites a user who then signs in', async ({ browser }) => {
  const owner = await signedInPage(browser, 'owner@meridian.test', errors);
  await expect(owner).toHaveURL('/queue');
  await owner.goto('/admin');
  await hydrated(owner);
  const email = `robin.${Date.now()}@meridian.test`;
  const invite = owner.getByRole('form', { name: 'Invite someone' });
  await invite.getByLabel('Name').fill('Robin Vale');
  await invite.getByLabel('E-mail').fill(email);
  await invite.getByLabel('Role').selectOption({ label: 'QA reviewer' });
  await invite.getByRole('button', { name: 'Invite' }).click();
  const link = (await owner.locator('.invite-link').textContent())!;
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]+$/);
  await expect(owner.getByRole('row', { name: /Robin Vale/ }).getByText('Invited')).toBeVisible();

  const context = await browser.newContext();
  const robin = await context.newPage();
  watchForErrors(robin, errors);
  await robin.goto(link);
  await expect(robin.getByRole('heading', { name: 'Welcome, Robin Vale' })).toBeVisible();
  await robin.getByLabel('Password (at least 10 characters)').fill('robin-likes-long-passwords');
  await robin.getByLabel('The same password again').fill('robin-likes-long-passwords');
  await robin.getByRole('button', { name: 'Set my password' }).click();
  await expect(robin).toHaveURL('/sign-in');
  await signIn(robin, email, 'robin-likes-long-passwords');
  await expect(robin).toHaveURL('/kb');
  await expect(robin.getByText('Robin Vale')).toBeVisible();

  await owner.goto(`/reports/audit?q=${encodeURIComponent(email)}`);
  await hydrated(owner);
  const log = owner.getByRole('table', { name: 'Audit log' });
  await expect(log.getByRole('row', { name: /User invited/ })).toBeVisible();
  await expect(log.getByRole('row', { name: /Signed in/ })).toBeVisible();
});
