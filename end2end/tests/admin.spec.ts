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
  await robin.getByLabel('Password (at least 12 characters)').fill('tea-and-long-walks-at-dawn');
  await robin.getByLabel('The same password again').fill('tea-and-long-walks-at-dawn');
  await robin.getByRole('button', { name: 'Set my password' }).click();
  await expect(robin).toHaveURL('/sign-in');
  await signIn(robin, email, 'tea-and-long-walks-at-dawn');
  await expect(robin).toHaveURL('/kb');
  await expect(robin.getByText('Robin Vale')).toBeVisible();

  await owner.goto(`/reports/audit?q=${encodeURIComponent(email)}`);
  await hydrated(owner);
  const log = owner.getByRole('table', { name: 'Audit log' });
  await expect(log.getByRole('row', { name: /User invited/ })).toBeVisible();
  await expect(log.getByRole('row', { name: /Signed in/ })).toBeVisible();
});

// An owner changes a team's business hours (a wrong window is refused with a sentence) and
// adds, then deletes, a holiday.
test('an owner sets a team\'s business hours and holidays', async ({ browser }) => {
  const owner = await signedInPage(browser, 'owner@meridian.test', errors);
  await owner.goto('/admin');
  await hydrated(owner);
  await owner.getByRole('link', { name: 'Teams, business hours and holidays' }).click();
  await expect(owner.getByRole('heading', { level: 1, name: 'Teams, business hours and holidays' })).toBeVisible();
  const europe = owner.getByRole('form', { name: 'Business hours of Europe' });
  await europe.getByLabel('Opens').fill('07:00');
  await europe.getByLabel('Saturday').check();
  await europe.getByRole('button', { name: 'Save Europe' }).click();
  await expect(owner.getByRole('heading', { level: 2, name: /^Europe · Mon–Sat, 07:00–20:00 · \d+ people$/ })).toBeVisible();

  const refused = owner.getByRole('form', { name: 'Business hours of Europe' });
  await refused.getByLabel('Closes').fill('06:00');
  await refused.getByRole('button', { name: 'Save Europe' }).click();
  await expect(owner.getByRole('alert').filter({ hasText: 'must close after it opens' })).toBeVisible();

  const holiday = owner.getByRole('form', { name: 'Add a holiday' });
  await holiday.getByLabel('Team').selectOption({ label: 'Europe' });
  await holiday.getByLabel('Day', { exact: true }).fill('2031-12-24');
  await holiday.getByLabel('Name', { exact: true }).fill('Founding day');
  await holiday.getByRole('button', { name: 'Add holiday' }).click();
  const holidays = owner.getByRole('table', { name: 'Holidays: Europe' });
  await expect(holidays.getByRole('row').filter({ hasText: 'Founding day' })).toContainText('2031-12-24');
  await owner.getByRole('button', { name: 'Delete Founding day (2031-12-24)' }).click();
  await expect(owner.getByRole('row').filter({ hasText: 'Founding day' })).toHaveCount(0);
});

// An owner creates an API token for an integration, scoped to reading the knowledge base
// for 30 days (shown once, works at once within its scope, refused outside it), and
// revokes it (stops at once).
test('an owner creates a scoped API token and revokes it', async ({ browser, request }) => {
  const owner = await signedInPage(browser, 'owner@meridian.test', errors);
  await owner.goto('/admin');
  await hydrated(owner);
  await owner.getByRole('link', { name: 'API tokens' }).click();
  await expect(owner.getByRole('heading', { level: 1, name: 'API tokens' })).toBeVisible();
  const form = owner.getByRole('form', { name: 'Create a token' });
  await form.getByLabel('Acts as').selectOption({ label: 'Alex Novak (agent@meridian.test)' });
  await form.getByLabel('Name').fill('Status page');
  await form.getByRole('button', { name: 'Create token' }).click();
  await expect(owner.getByRole('alert')).toContainText('Give the token at least one scope.');
  await form.getByLabel('Knowledge base').selectOption({ label: 'Read' });
  await form.getByLabel('Expires after').selectOption({ label: '30 days' });
  await form.getByRole('button', { name: 'Create token' }).click();
  const secret = (await owner.getByTestId('new-token').textContent())!;
  expect(secret).toMatch(/^mrd_/);
  const me = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect((await me.json()).email).toBe('agent@meridian.test');
  const articles = await request.get('/api/v1/kb/articles', { headers: { Authorization: `Bearer ${secret}` } });
  expect(articles.status()).toBe(200);
  const queue = await request.get('/api/v1/conversations', { headers: { Authorization: `Bearer ${secret}` } });
  expect(queue.status()).toBe(403);
  expect((await queue.json()).error).toBe('This API token has no queue:read scope.');
  const row = owner.getByRole('row').filter({ hasText: 'Status page' });
  await expect(row).toContainText('kb:read');
  await expect(row).toContainText('Live until');
  await owner.getByRole('button', { name: 'Revoke Status page' }).click();
  await expect(row).toContainText('Revoked');
  const after = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
});

// An owner adds an e-mail inbox (shown with how to connect it) and pauses it.
test('an owner adds an inbox and pauses it', async ({ browser }) => {
  const owner = await signedInPage(browser, 'owner@meridian.test', errors);
  await owner.goto('/admin/channels');
  await hydrated(owner);
  const form = owner.getByRole('form', { name: 'Add a channel' });
  await form.getByLabel('Kind').selectOption({ label: 'E-mail inbox' });
  await form.getByLabel('Name').fill('Refunds e-mail');
  await form.getByLabel('Address').fill('Refunds@Meridian.test');
  await form.getByRole('button', { name: 'Add channel' }).click();
  const card = owner.getByRole('article', { name: 'Refunds e-mail' });
  await expect(card).toContainText('meridian mail-in --inbox refunds@meridian.test');
  await card.getByRole('button', { name: 'Pause Refunds e-mail' }).click();
  await expect(owner.getByRole('article', { name: 'Refunds e-mail' })).toContainText('Paused: nothing new arrives on it.');
  await form.getByLabel('Name').fill('Refunds again');
  await form.getByLabel('Address').fill('refunds@meridian.test');
  await form.getByRole('button', { name: 'Add channel' }).click();
  await expect(owner.getByRole('alert').filter({ hasText: 'already receives' })).toBeVisible();
});
