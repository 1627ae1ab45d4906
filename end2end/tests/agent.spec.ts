import { test, expect } from '@playwright/test';
import { hydrated, signedInPage } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

// A one-to-one: the manager opens an agent's page from Reports and writes a note; the agent
// opens their own page from Schedule, reads the note and writes this week's plan.
test('a manager and an agent prepare a one-to-one on the agent\'s page', async ({ browser }) => {
  const marcus = await signedInPage(browser, 'manager@meridian.test', errors);
  await marcus.goto('/reports');
  await hydrated(marcus);
  await marcus.getByRole('link', { name: 'Alex Novak', exact: true }).click();
  await expect(marcus.getByRole('heading', { level: 1, name: 'Alex Novak — performance' })).toBeVisible();
  for (const figure of ['Public replies', 'CSAT', 'QA score', 'Schedule adherence']) {
    await expect(marcus.getByRole('img', { name: `${figure} per week, last 12 weeks` })).toBeVisible();
  }
  const weeks = marcus.getByRole('table', { name: 'Week by week, newest first' });
  await expect(weeks.getByRole('row')).toHaveCount(13);
  await expect(weeks.getByRole('row').nth(2).getByRole('cell').first()).toHaveText(/^[1-9]\d*$/);
  const note = `Great week; next, shadow the e-mail queue (${Date.now()}).`;
  await marcus.getByRole('textbox', { name: 'Note', exact: true }).fill(note);
  await marcus.getByRole('button', { name: 'Add note' }).click();
  await expect(marcus.getByText(note)).toBeVisible();

  const alex = await signedInPage(browser, 'agent@meridian.test', errors);
  await alex.goto('/schedule');
  await hydrated(alex);
  await alex.getByRole('link', { name: 'Your performance and this week\'s top 5' }).click();
  await expect(alex.getByRole('heading', { level: 1, name: 'Alex Novak — performance' })).toBeVisible();
  await expect(alex.getByText(note)).toBeVisible();
  await expect(alex.getByRole('form', { name: 'Add a note' })).toHaveCount(0);
  await expect(alex.getByText('Answer every dialogue assigned to me')).toBeVisible();
  await expect(alex.getByTestId('fixed-task')).toHaveText(/open dialogues/);
  const plan = alex.getByRole('form', { name: 'Weekly plan' });
  // The demo plan has two tasks; Alex changes the second and ticks it off.
  await expect(plan.getByLabel('Task 2', { exact: true })).toHaveValue('Finish the refunds course');
  await plan.getByLabel('Task 3', { exact: true }).fill('Shadow Lena on chat');
  await plan.getByLabel('Task 3 done').check();
  await plan.getByRole('button', { name: 'Save plan' }).click();
  await expect(plan.getByRole('status')).toHaveText('Plan saved.');
  await alex.reload();
  await hydrated(alex);
  await expect(alex.getByLabel('Task 3', { exact: true })).toHaveValue('Shadow Lena on chat');
  await expect(alex.getByLabel('Task 3 done')).toBeChecked();
});
