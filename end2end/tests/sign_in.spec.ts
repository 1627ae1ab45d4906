import { test, expect } from '@playwright/test';
import { DEMO_USERS, hydrated, signIn, watchForErrors } from './helpers';

let errors: string[] = [];
test.beforeEach(({ page }) => { errors = watchForErrors(page); });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

for (const user of DEMO_USERS) {
  test(`${user.role} signs in and sees exactly the allowed navigation`, async ({ page }) => {
    await signIn(page, user.email);

    await expect(page).toHaveURL(user.home);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link')).toHaveText(user.nav);
    await expect(page.getByText(user.name)).toBeVisible();

    // Every allowed section opens inside the shell, by clicking its link.
    for (const label of user.nav) {
      await nav.getByRole('link', { name: label, exact: true }).click();
      await expect(page.getByRole('heading', { level: 1, name: label })).toBeVisible();
      await expect(nav.getByRole('link', { name: label, exact: true })).toHaveAttribute('aria-current', 'page');
      await expect(page.getByText('You do not have permission')).toHaveCount(0);
    }
  });
}

test('a wrong password shows an error and opens no session', async ({ page, context }) => {
  await signIn(page, 'agent@meridian.test', 'not-the-password');

  await expect(page.getByRole('alert')).toHaveText('That e-mail address and password do not match an account.');
  await expect(page).toHaveURL('/sign-in');
  const cookies = await context.cookies();
  expect(cookies.filter((c) => c.name.includes('meridian_session'))).toHaveLength(0);

  // Nothing behind the sign-in page opens.
  await page.goto('/queue');
  await expect(page).toHaveURL('/sign-in');
});

test('an agent who types the Reports address is refused', async ({ page }) => {
  await signIn(page, 'agent@meridian.test');
  await expect(page).toHaveURL('/queue');

  const response = await page.goto('/reports');

  expect(response?.status()).toBe(403);
  await expect(page.getByRole('alert')).toHaveText('You do not have permission to open Reports.');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' })).toHaveCount(0);
  await expect(page.getByText('Median first response')).toHaveCount(0);
});

test('signing out ends the session', async ({ page, context }) => {
  await signIn(page, 'manager@meridian.test');
  await expect(page).toHaveURL('/queue');
  const before = (await context.cookies()).find((c) => c.name === 'meridian_session');
  expect(before?.httpOnly).toBe(true);
  expect(before?.sameSite).toBe('Lax');

  await page.getByRole('button', { name: 'Sign out' }).click();

  await expect(page).toHaveURL('/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in to Meridian' })).toBeVisible();
  // The old cookie no longer works even if replayed: the session is gone on the server.
  await context.addCookies([{ ...before!, expires: -1 }]);
  await page.goto('/reports');
  await expect(page).toHaveURL('/sign-in');
});

test('the queue shows real dialogues and the reports real numbers', async ({ page }) => {
  await signIn(page, 'manager@meridian.test');
  await expect(page).toHaveURL('/queue');
  const lists = page.getByRole('navigation', { name: 'Queue lists' });
  await expect(lists.getByRole('link', { name: /Unassigned/ })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('table', { name: 'Unassigned' }).getByRole('row')).not.toHaveCount(0);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
  await expect(page.getByTestId('def-volume')).toContainText('New dialogues');
  await expect(page.getByTestId('def-csat')).toContainText('CSAT');
  // Each agent's week beside the schedule, with whether they are on shift now.
  const agents = page.getByRole('table', { name: 'Agents, last 7 days' });
  const alex = agents.getByRole('row').filter({ hasText: 'Alex Novak' });
  await expect(alex).toContainText(/On shift until \d\d:\d\d|Off shift/);
});

test('an unknown address shows a 404 page with a way back', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Go to your start page' })).toBeVisible();
});

test('keyboard shortcuts move between sections, but not while typing', async ({ page }) => {
  await signIn(page, 'manager@meridian.test');
  await expect(page).toHaveURL('/queue');
  await hydrated(page);

  await page.keyboard.press('g');
  await page.keyboard.press('r');
  await expect(page).toHaveURL('/reports');
  await expect(page.getByRole('heading', { level: 1, name: 'Reports' })).toBeVisible();

  await page.keyboard.press('g');
  await page.keyboard.press('k');
  await expect(page).toHaveURL('/kb');

  // The manager may not open Admin: the shortcut does nothing.
  await page.keyboard.press('g');
  await page.keyboard.press('m');
  await expect(page).toHaveURL('/kb');
});
