import { test, expect, Browser, Page } from '@playwright/test';
import { hydrated, signedInPage } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

async function signedIn(browser: Browser, email: string, home: string): Promise<Page> {
  const page = await signedInPage(browser, email, errors);
  await expect(page).toHaveURL(home);
  return page;
}

// The demo reviewer draws a sample, scores one of Alex's dialogues with the keyboard
// (seeing the suggestions), Alex disputes the review, and the reviewer accepts it.
test('a reviewer samples and scores with the keyboard; the agent disputes; the reviewer decides', async ({ browser }) => {
  const priya = await signedIn(browser, 'qa@meridian.test', '/kb');
  await priya.goto('/qa');
  await hydrated(priya);
  await priya.getByLabel('Dialogues per agent').fill('1');
  await priya.getByLabel('Seed (optional)').fill('2026');
  await priya.getByLabel('Team').selectOption({ label: 'Europe' });
  await priya.getByRole('button', { name: 'Draw sample' }).click();
  await expect(priya.getByRole('status').filter({ hasText: /Drew \d+ dialogues for \d+ agents \(seed 2026\)/ })).toBeVisible();

  // Every agent gets one; take Alex's.
  const todo = priya.getByRole('table', { name: 'To review' });
  const row = todo.getByRole('row').filter({ hasText: 'Alex Novak' }).first();
  await expect(row).toBeVisible();
  // Only the Europe team: nobody from Asia-Pacific.
  await expect(todo.getByRole('row').filter({ hasText: 'Hana Sato' })).toHaveCount(0);
  await row.getByRole('link').click();
  await expect(priya).toHaveURL(/\/qa\/review\?conversation=\d+&sample=\d+/);
  await hydrated(priya);
  await expect(priya.getByRole('heading', { level: 2, name: /Review · Default v\d+/ })).toBeVisible();
  // Task completed is suggested from the data (not reopened within 7 days).
  const task = priya.getByRole('radiogroup', { name: 'Task completed' });
  await expect(task.getByRole('radio', { name: 'Yes' })).toHaveAttribute('aria-checked', 'true');
  await expect(priya.getByText(/Suggested: Yes \(from not reopened within 7 days\)/)).toBeVisible();

  // One key per criterion, in order: yes, 3, 2, N/A, 4, no, 4, 5; then s saves.
  for (const key of ['y', '3', '2', 'x', '4', 'n', '4', '5']) await priya.keyboard.press(key);
  await expect(priya.getByRole('radiogroup', { name: 'Cheerful and friendly' }).getByRole('radio', { name: '4' })).toHaveAttribute('aria-checked', 'true');
  await expect(priya.getByRole('radiogroup', { name: 'Used the knowledge base' }).getByRole('radio', { name: 'N/A' })).toHaveAttribute('aria-checked', 'true');
  await expect(priya.getByTestId('live-score')).not.toHaveText('–');
  const score = (await priya.getByTestId('live-score').textContent())!;
  await priya.keyboard.press('s');
  await expect(priya.getByText('Review saved.')).toBeVisible();

  // Alex sees the review, with its score, and disputes it.
  const alex = await signedIn(browser, 'agent@meridian.test', '/queue');
  await alex.goto('/qa');
  await hydrated(alex);
  const card = alex.getByRole('article').first();
  await expect(card.getByTestId('review-score')).toHaveText(`Score ${score}`);
  await expect(card).toContainText('Reviewer Priya Raman');
  await card.getByLabel('Why do you disagree?').fill('The customer said it was quick enough.');
  await card.getByRole('button', { name: 'Dispute this review' }).click();
  await expect(alex.getByText('You disputed this review: “The customer said it was quick enough.”')).toBeVisible();

  // Priya decides: she re-scores "closed quickly" and accepts.
  await priya.goto('/qa');
  await hydrated(priya);
  const disputes = priya.getByRole('region', { name: 'Disputes to decide' });
  await disputes.getByRole('link', { name: 'Decide the dispute' }).first().click();
  await hydrated(priya);
  await expect(priya.getByText('The agent disputes this review: “The customer said it was quick enough.”')).toBeVisible();
  await priya.getByRole('radiogroup', { name: 'Closed quickly' }).getByRole('radio', { name: '4' }).click();
  await priya.getByRole('button', { name: 'Accept and save the new score' }).click();
  await expect(priya.getByText('Dispute decided.')).toBeVisible();

  await alex.reload();
  await hydrated(alex);
  await expect(alex.getByRole('article').first()).toContainText('Your dispute was accepted.');
  await expect(alex.getByRole('article').first()).toContainText('Changed after a dispute');
});

test('the results show each agent with an interval, the weekly trend and the criteria heatmap', async ({ browser }) => {
  const marcus = await signedIn(browser, 'manager@meridian.test', '/queue');
  await marcus.goto('/qa/results');
  await hydrated(marcus);
  await expect(marcus.getByTestId('qa-headline')).toContainText(/Team IQS \d+ \(95 % interval \d+–\d+\), from \d+ reviews/);
  await expect(marcus.getByRole('img', { name: 'IQS per agent' })).toBeVisible();
  await expect(marcus.getByRole('table', { name: 'IQS per agent' }).getByRole('row').filter({ hasText: 'Alex Novak' })).toBeVisible();
  await expect(marcus.getByRole('table', { name: 'Score per criterion and agent' })).toContainText('Task completed');
  await expect(marcus.getByRole('img', { name: /IQS per week/ })).toBeVisible();
  // One agent's own trend and criteria.
  await marcus.getByRole('table', { name: 'IQS per agent' }).getByRole('link', { name: 'Alex Novak' }).click();
  await expect(marcus.getByText("Only Alex Novak's reviews.")).toBeVisible();
  await expect(marcus.getByRole('table', { name: 'IQS per agent' }).getByRole('row')).toHaveCount(2);
});

test('a manager edits the scorecard and it is saved as a new version', async ({ browser }) => {
  const marcus = await signedIn(browser, 'manager@meridian.test', '/queue');
  await marcus.goto('/qa');
  await hydrated(marcus);
  await marcus.getByRole('link', { name: 'Edit the scorecard' }).click();
  await expect(marcus.getByRole('heading', { level: 1, name: 'Scorecard' })).toBeVisible();
  await hydrated(marcus);
  await marcus.getByRole('button', { name: 'Add a criterion' }).click();
  await marcus.getByRole('button', { name: 'Save as a new version' }).click();
  await expect(marcus.getByRole('alert')).toHaveText('Criterion 9 needs a name of at most 120 characters.');
  await marcus.getByLabel('Name of criterion 9').fill('Followed the refund policy');
  await marcus.getByLabel('Criterion 9 is critical').check();
  await marcus.getByRole('button', { name: 'Save as a new version' }).click();
  await expect(marcus.getByRole('status')).toHaveText(/Saved as version \d+\./);
  await expect(marcus.getByLabel('Name of criterion 9')).toHaveValue('Followed the refund policy');
  // And back to the checklist (another version), so the other tests find eight criteria.
  await marcus.getByRole('button', { name: 'Remove criterion 9' }).click();
  await expect(marcus.getByLabel('Name of criterion 9')).toHaveCount(0);
  await marcus.getByRole('button', { name: 'Save as a new version' }).click();
  await expect(marcus.getByRole('status')).toHaveText(/Saved as version \d+\./);
});

// A manager opens a calibration session on a resolved dialogue and scores it; the session
// shows who scored it and the agreement table counts the scores.
test('a calibration session is started, scored and counted', async ({ browser }) => {
  const marcus = await signedIn(browser, 'manager@meridian.test', '/queue');
  await marcus.goto('/queue?view=resolved');
  // A dialogue an agent resolved (an incident's closing also resolves unassigned ones).
  const answered = marcus.getByRole('table', { name: 'Resolved' }).locator('tbody tr').filter({ hasNotText: 'Unassigned' });
  const href = (await answered.first().getByRole('link').first().getAttribute('href'))!;
  const id = href.split('id=')[1];
  await marcus.goto('/qa/calibration');
  await hydrated(marcus);
  await marcus.getByLabel('Dialogue number').fill(id);
  await marcus.getByRole('button', { name: 'Start a calibration session' }).click();
  const session = marcus.getByRole('listitem').filter({ hasText: 'scored by nobody yet' }).first();
  await session.getByRole('link').click();
  await hydrated(marcus);
  await expect(marcus.getByRole('heading', { level: 2, name: /Calibration review · Default v\d+/ })).toBeVisible();
  for (const key of ['y', '4', '4', 'x', '4', 'y', '4', '5']) await marcus.keyboard.press(key);
  await marcus.keyboard.press('s');
  await expect(marcus.getByText('Review saved.')).toBeVisible();
  await marcus.goto('/qa/calibration');
  await hydrated(marcus);
  await expect(marcus.getByRole('listitem').filter({ hasText: 'scored by Marcus Webb' }).first()).toContainText('Done');
  await expect(marcus.getByRole('table', { name: 'Agreement per criterion' }).getByRole('row').filter({ hasText: 'Task completed' })).toBeVisible();
});
