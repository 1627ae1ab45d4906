import { test, expect } from '@playwright/test';
import { hydrated, signedInPage } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

// A manager reads the policies in order, is told why a target of 0 is refused (nothing is
// saved), saves a good policy and deletes it again; agents see each dialogue's running SLA
// target in the queue and on the dialogue.
test('managers write SLA policies and agents see the clocks', async ({ browser }) => {
  const name = `Night shift ${Date.now() % 100000}`;
  const marcus = await signedInPage(browser, 'manager@meridian.test', errors);
  await marcus.getByRole('link', { name: 'Service levels' }).click();
  await expect(marcus.getByRole('heading', { level: 1, name: 'Service levels' })).toBeVisible();
  await hydrated(marcus);
  const policies = marcus.getByRole('table', { name: 'Policies, in the order they are tried' });
  await expect(policies.getByRole('row')).toHaveCount(4);
  await expect(policies.getByRole('rowheader')).toHaveText(['Enterprise', 'Chat', 'Standard']);

  const form = marcus.getByRole('form', { name: 'SLA policy' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Channel').selectOption('email');
  const target = form.getByLabel('First response target for normal priority (minutes)');
  await target.fill('0');
  await form.getByRole('button', { name: 'Save policy' }).click();
  await expect(marcus.getByRole('alert')).toContainText('must be more than 0 minutes');
  await expect(policies).not.toContainText(name);

  await target.fill('30');
  await form.getByRole('button', { name: 'Save policy' }).click();
  await expect(marcus.getByRole('status')).toContainText('Policy saved');
  const row = policies.getByRole('row', { name: new RegExp(name) });
  await expect(row).toContainText('E-mail');
  await expect(row).toContainText('Normal: first response 30 min');
  await row.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(policies).not.toContainText(name);

  const alex = await signedInPage(browser, 'agent@meridian.test', errors);
  await expect(alex).toHaveURL('/queue');
  await hydrated(alex);
  const queue = alex.getByRole('table', { name: 'Unassigned' });
  const levels = queue.locator('tbody tr td:last-child');
  await expect(levels.first()).toHaveText(/^(First response|Next response|Resolution) (due in|.* overdue|paused)/);
  await queue.getByRole('row').nth(1).getByRole('link').click();
  await expect(alex.getByRole('group', { name: 'Service level' })).toContainText(/^(Enterprise|Chat|Standard):/);
});
