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
  // Not necessarily the first row: a dialogue handed back after an agent's answer waits
  // for the customer and runs no clock ("—").
  const running = /^(First response|Next response|Resolution) (due in|.* overdue|paused)/;
  const clocked = queue.locator('tbody tr').filter({ has: alex.locator('td:last-child', { hasText: running }) }).first();
  await expect(clocked.locator('td:last-child')).toHaveText(running);
  await clocked.getByRole('link').first().click();
  await expect(alex.getByRole('group', { name: 'Service level' })).toContainText(/^(Enterprise|Chat|Standard):/);
});

// A manager puts a one-minute drill policy first; a new chat tagged for it warns its holder
// at once (the dialogue's history and the top bar, live), and a minute later the breach
// raises its priority by the policy's escalation, without a reload. The drill policy is
// deleted again.
test('a warning appears live and a breach escalates', async ({ browser }) => {
  test.setTimeout(150_000);
  const n = Date.now() % 100000;
  const name = `Drill ${n}`;
  const tag = `drill-${n}`;
  const marcus = await signedInPage(browser, 'manager@meridian.test', errors);
  await marcus.goto('/queue/service-levels');
  await hydrated(marcus);
  const policies = marcus.getByRole('table', { name: 'Policies, in the order they are tried' });
  const form = marcus.getByRole('form', { name: 'SLA policy' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Tags (any of them, comma-separated)').fill(tag);
  await form.getByLabel('Tags (any of them, comma-separated)').blur();
  await form.getByLabel('First response target for normal priority (minutes)').fill('1');
  await form.getByLabel('Warn this many minutes before a target').fill('1');
  await form.getByLabel('On breach').selectOption({ label: 'Raise the priority one step' });
  await form.getByRole('button', { name: 'Save policy' }).click();
  await expect(marcus.getByRole('status')).toContainText('Policy saved');
  await expect(policies.getByRole('rowheader')).toHaveText(['Enterprise', 'Chat', 'Standard', name]);
  for (const order of [['Enterprise', 'Chat', name, 'Standard'], ['Enterprise', name, 'Chat', 'Standard'], [name, 'Enterprise', 'Chat', 'Standard']]) {
    await policies.getByRole('button', { name: `Move ${name} up` }).click();
    await expect(policies.getByRole('rowheader')).toHaveText(order);
  }

  // A customer writes by chat; Alex claims it and tags it for the drill.
  const customer = await (await browser.newContext()).newPage();
  await customer.goto('/chat/website');
  const question = `Drill ${n}: my invoice is wrong`;
  await customer.getByLabel('Your name').fill('Dana Ortiz');
  await customer.getByLabel('Your e-mail').fill(`dana.${n}@example.com`);
  await customer.getByLabel('How can we help?').fill(question);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await expect(customer.getByRole('list', { name: 'Conversation' }).getByText(question)).toBeVisible();

  const alex = await signedInPage(browser, 'agent@meridian.test', errors);
  await alex.goto('/queue?view=unassigned&sort=newest');
  await hydrated(alex);
  await alex.getByRole('link', { name: question }).click();
  await hydrated(alex);
  await alex.getByRole('button', { name: 'Claim' }).click();
  await expect(alex.getByTestId('holder')).toHaveText('Held by Alex Novak');
  await alex.getByLabel('Tags', { exact: true }).fill(tag);
  await alex.getByRole('button', { name: 'Save tags' }).click();
  await expect(alex.getByRole('list', { name: 'Dialogue tags' })).toContainText(tag);

  // The warning: on the history and in the top bar, live.
  const history = alex.getByRole('list', { name: 'History with this customer' });
  await expect(history.getByText(/SLA warning first response due \d\d:\d\d UTC/)).toBeVisible({ timeout: 10_000 });
  await expect(alex.getByRole('link', { name: /^\d+ service-level alerts?$/ })).toBeVisible();
  await expect(alex.getByRole('group', { name: 'Service level' })).toContainText(new RegExp(`^${name}:\\s*First response`));

  // The breach, a minute after the chat began: the priority is raised one step.
  await expect(history.getByText('SLA breached first response')).toBeVisible({ timeout: 80_000 });
  await expect(history.getByText('priority changed to High (the SLA escalation)')).toBeVisible({ timeout: 10_000 });
  await expect(alex.locator('.badges .priority-high')).toHaveText('High');

  await marcus.reload();
  await hydrated(marcus);
  await policies.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(policies.getByRole('rowheader')).toHaveText(['Enterprise', 'Chat', 'Standard']);
});
