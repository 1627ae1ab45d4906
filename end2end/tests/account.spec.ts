import { test, expect, Page } from '@playwright/test';
import { hydrated, invitedColleague, MAILDIR, newestMailTo, signIn, watchForErrors } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

// Someone who forgot their password asks for a link on the sign-in page, finds it in the
// e-mail the outbox sent, chooses a new password (a common one is refused with the
// reason), and signs in with it; the old one no longer works and the link works once.
test('a forgotten password is reset from the e-mail in the outbox', async ({ browser }) => {
  expect(MAILDIR, 'E2E_MAILDIR from scripts/test.sh').not.toBe('');
  const email = `dana.${Date.now()}@meridian.test`;
  await invitedColleague(browser, errors, 'Dana Reyes', email, 'first-long-secret-42');

  const context = await browser.newContext();
  const page = await context.newPage();
  watchForErrors(page, errors);
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expect(page.getByRole('status')).toContainText('If that address belongs to an account');

  const mail = await newestMailTo(email, 'Choose a new Meridian password');
  expect(mail).toContain('Hello Dana Reyes');
  const link = mail.match(/https?:\/\/\S+\/reset-password\/[A-Za-z0-9_-]+/)![0];
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await page.getByLabel(/New password/).fill('qwertyuiop123');
  await page.getByLabel('The same password again').fill('qwertyuiop123');
  await page.getByRole('button', { name: 'Set my new password' }).click();
  await expect(page.getByRole('alert')).toContainText('common and breached passwords');
  await page.getByLabel(/New password/).fill('second-long-secret-77');
  await page.getByLabel('The same password again').fill('second-long-secret-77');
  await page.getByRole('button', { name: 'Set my new password' }).click();
  await expect(page.getByRole('heading', { name: 'Your new password is set' })).toBeVisible();

  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'This link has been used or has expired' })).toBeVisible();
  await signIn(page, email, 'first-long-secret-42');
  await expect(page.getByRole('alert')).toHaveText('That e-mail address and password do not match an account.');
  await signIn(page, email, 'second-long-secret-77');
  await expect(page).toHaveURL('/queue');
  await context.close();
});

// Account settings: a person changes their password (the current one first; a short one
// is refused with the reason) and signs out their other browser.
test('a person changes their password and signs out everywhere else', async ({ browser }) => {
  const email = `lee.${Date.now()}@meridian.test`;
  await invitedColleague(browser, errors, 'Lee Moreau', email, 'lee-first-secret-01');
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, email, 'lee-first-secret-01');
  await expect(otherPage).toHaveURL('/queue');

  const context = await browser.newContext();
  const page: Page = await context.newPage();
  watchForErrors(page, errors);
  await signIn(page, email, 'lee-first-secret-01');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await page.getByRole('link', { name: /Lee Moreau/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account settings' })).toBeVisible();
  await hydrated(page);
  await expect(page.getByRole('table', { name: 'Your sessions' }).getByRole('row')).toHaveCount(3);

  const form = page.getByRole('form', { name: 'Change password' });
  await form.getByLabel('Current password').fill('lee-first-secret-01');
  await form.getByLabel('New password', { exact: true }).fill('too short');
  await form.getByLabel('New password again').fill('too short');
  await form.evaluate((f: HTMLFormElement) => { f.noValidate = true; });
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'at least 12 characters' })).toBeVisible();
  await form.getByLabel('New password', { exact: true }).fill('lee-second-secret-02');
  await form.getByLabel('New password again').fill('lee-second-secret-02');
  await form.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Your password is changed. 1 other session was signed out.' })).toBeVisible();

  // The other browser is signed out; the new password signs in.
  await otherPage.goto('/queue');
  await expect(otherPage).toHaveURL('/sign-in');
  await signIn(otherPage, email, 'lee-second-secret-02');
  await expect(otherPage).toHaveURL('/queue');
  await page.reload();
  await hydrated(page);
  await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^1 other session was signed out\.$/ })).toBeVisible();
  await otherPage.goto('/queue');
  await expect(otherPage).toHaveURL('/sign-in');
  await other.close();
  await context.close();
});
