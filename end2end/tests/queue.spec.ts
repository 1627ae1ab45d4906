import { test, expect, Browser, Page } from '@playwright/test';
import { hydrated, signedInPage } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

// Two agents on two server processes (E2E_BASE_URL and E2E_SECOND_URL) sharing one
// database: what one does shows up for the other without a reload.
const FIRST = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3100';
const SECOND = process.env.E2E_SECOND_URL ?? 'http://127.0.0.1:3101';

async function agent(browser: Browser, baseURL: string, email: string): Promise<Page> {
  const page = await signedInPage(browser, email, errors, baseURL);
  await expect(page).toHaveURL('/queue');
  await hydrated(page);
  return page;
}

test('two agents on two servers: a claim, a refusal, a reply and a postponement, all live', async ({ browser }) => {
  const alex = await agent(browser, FIRST, 'agent@meridian.test');
  const lena = await agent(browser, SECOND, 'lena.fischer@meridian.test');

  // Lena looks at Unassigned; Alex opens the dialogue at its top.
  const lenasList = lena.getByRole('table', { name: 'Unassigned' });
  const firstLink = lenasList.getByRole('link').first();
  const subject = (await firstLink.textContent())!;
  const href = (await firstLink.getAttribute('href'))!;
  await expect(lena.locator(`a[href="${href}"]`)).toHaveCount(1);

  await alex.goto(href);
  await hydrated(alex);
  await expect(alex.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  await alex.getByRole('button', { name: 'Claim' }).click();
  await expect(alex.getByTestId('holder')).toHaveText('Held by Alex Novak');

  // It leaves Lena's Unassigned list on the other server, without a reload.
  await expect(lena.locator(`a[href="${href}"]`)).toHaveCount(0, { timeout: 3000 });

  // Lena opens it anyway: she sees who holds it, and her reply is refused with that name.
  await lena.goto(href);
  await hydrated(lena);
  await expect(lena.getByTestId('holder')).toHaveText('Held by Alex Novak');
  // Alex sees Lena arrive, then type, live from the other server.
  await expect(alex.getByText('Lena Fischer is viewing')).toBeVisible({ timeout: 5000 });
  await lena.getByLabel('Message').pressSequentially('I can');
  await expect(alex.getByText('Lena Fischer is typing…')).toBeVisible({ timeout: 5000 });
  await lena.getByLabel('Message').fill('I can take this one!');
  await lena.getByRole('button', { name: 'Send reply' }).click();
  await expect(lena.getByRole('alert')).toHaveText('Alex Novak is handling this dialogue.');

  // Alex replies; Lena sees the reply arrive live.
  await alex.getByLabel('Message').fill('Hi! Let me check your account right away.');
  await alex.getByRole('button', { name: 'Send reply' }).click();
  await expect(alex.getByText('Let me check your account right away.')).toBeVisible();
  await expect(lena.getByText('Let me check your account right away.')).toBeVisible({ timeout: 3000 });
  await expect(lena.getByText('I can take this one!')).toHaveCount(0);

  // An internal note looks different from a reply.
  await alex.getByLabel('Message').fill('Checked the logs: token revoked by their admin.');
  await alex.getByRole('button', { name: 'Add internal note' }).click();
  const note = alex.locator('.message-internal', { hasText: 'token revoked' });
  await expect(note).toBeVisible();
  await expect(note.getByText('Internal note')).toBeVisible();

  // Alex postpones until the customer replies; Lena sees it move.
  await alex.getByRole('button', { name: 'Until the customer replies' }).click();
  await expect(alex.getByText('Postponed until the customer replies', { exact: true })).toBeVisible();
  await expect(lena.getByText('Postponed until the customer replies', { exact: true })).toBeVisible({ timeout: 3000 });
  // Postponed means out of the open lists: it has left Alex's Mine.
  await alex.goto('/queue?view=mine');
  await expect(alex.getByRole('heading', { level: 1, name: 'Queue' })).toBeVisible();
  await expect(alex.locator(`a[href="${href}"]`)).toHaveCount(0);
});

test('an agent resolves a dialogue and it leaves the open lists', async ({ browser }) => {
  const alex = await agent(browser, FIRST, 'agent@meridian.test');
  const first = alex.getByRole('table', { name: 'Unassigned' }).getByRole('link').first();
  const href = (await first.getAttribute('href'))!;
  await first.click();
  await hydrated(alex);
  // A refusal is a sentence, and the next action that succeeds clears it.
  await alex.getByRole('button', { name: 'Send reply' }).click();
  await expect(alex.getByRole('alert')).toHaveText('Write something first.');
  await alex.getByLabel('Priority').selectOption('low');
  await expect(alex.getByRole('alert')).toHaveCount(0);
  await alex.getByLabel('Message').fill('That is fixed now. Anything else?');
  await alex.getByRole('button', { name: 'Send reply' }).click();
  await expect(alex.getByTestId('holder')).toHaveText('Held by Alex Novak');
  await alex.getByLabel('Priority').selectOption('high');
  await expect(alex.locator('.badges')).toContainText('High');
  await alex.getByRole('textbox', { name: 'Tags', exact: true }).fill('Refund, VIP customer');
  await alex.getByRole('button', { name: 'Save tags' }).click();
  await expect(alex.getByRole('list', { name: 'Dialogue tags' }).getByRole('listitem')).toHaveText(['refund', 'vip-customer']);
  await alex.getByLabel('Outcome').selectOption('converted');
  await expect(alex.getByText('outcome changed to Converted', { exact: false })).toBeVisible();
  await alex.getByRole('button', { name: 'Resolve' }).click();
  await expect(alex.getByRole('button', { name: 'Reopen' })).toBeVisible();

  await alex.goto('/queue?view=open');
  await expect(alex.locator(`a[href="${href}"]`)).toHaveCount(0);
  await alex.goto('/queue?view=resolved');
  await expect(alex.locator(`a[href="${href}"]`)).toHaveCount(1);
});

test('an agent works a dialogue with the keyboard alone', async ({ browser }) => {
  const alex = await agent(browser, FIRST, 'agent@meridian.test');

  await alex.keyboard.press('?');
  await expect(alex.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await alex.keyboard.press('?');
  await expect(alex.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);

  // j (first row), j (second), k (first), j (second): Enter opens the focused one.
  await alex.keyboard.press('j');
  await alex.keyboard.press('j');
  await alex.keyboard.press('k');
  await expect(alex.getByRole('table', { name: 'Unassigned' }).getByRole('link').first()).toBeFocused();
  await alex.keyboard.press('j');
  const rows = alex.getByRole('table', { name: 'Unassigned' }).getByRole('link');
  await expect(rows.nth(1)).toBeFocused();
  const subject = (await rows.nth(1).textContent())!;
  await alex.keyboard.press('Enter');
  await expect(alex.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  await hydrated(alex);

  await alex.keyboard.press('c');
  await expect(alex.getByTestId('holder')).toHaveText('Held by Alex Novak');
  await alex.keyboard.press('r');
  await expect(alex.getByLabel('Message')).toBeFocused();
  await alex.keyboard.type('Sorted, thanks for your patience!');
  await alex.keyboard.press('Control+Enter');
  await expect(alex.locator('.message-agent', { hasText: 'Sorted, thanks for your patience!' })).toBeVisible();
  await alex.locator('body').click({ position: { x: 5, y: 300 } });
  await alex.keyboard.press('e');
  await expect(alex.getByRole('button', { name: 'Reopen' })).toBeVisible();
});

// Alex @mentions Lena in an internal note; Lena, on the other server, sees the count go up
// without a reload, opens her mentions and goes to the dialogue.
test('a mention in a note notifies the colleague, live', async ({ browser }) => {
  const alex = await agent(browser, FIRST, 'agent@meridian.test');
  const lena = await agent(browser, SECOND, 'lena.fischer@meridian.test');
  const mentions = lena.getByRole('link', { name: /^Mentions/ });
  // Start from nothing unread.
  await mentions.click();
  await hydrated(lena);
  await lena.getByRole('button', { name: 'Mark all as read' }).click();
  await expect(lena.getByText('New', { exact: true })).toHaveCount(0);
  await lena.goto('/queue');
  await expect(mentions).toHaveAccessibleName('Mentions');

  const first = alex.getByRole('table', { name: 'Unassigned' }).getByRole('link').first();
  const subject = (await first.textContent())!;
  await alex.goto((await first.getAttribute('href'))!);
  await hydrated(alex);
  await alex.getByRole('combobox', { name: /^Mention/ }).selectOption({ label: 'Lena Fischer (@lena.fischer)' });
  await expect(alex.getByLabel('Message')).toHaveValue('@lena.fischer ');
  await alex.getByLabel('Message').pressSequentially('can you confirm the refund went out?');
  await alex.getByRole('button', { name: 'Add internal note' }).click();
  await expect(alex.getByText('@lena.fischer can you confirm the refund went out?')).toBeVisible();

  await expect(mentions).toHaveAccessibleName('Mentions, 1 unread', { timeout: 5000 });
  await mentions.click();
  await expect(lena.getByRole('heading', { level: 1, name: 'Mentions' })).toBeVisible();
  await hydrated(lena);
  await lena.getByRole('list', { name: 'Mentions' }).getByRole('link', { name: subject }).first().click();
  await expect(lena.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  await expect(mentions).toHaveAccessibleName('Mentions', { timeout: 5000 });
});

// An agent escalates a dialogue with a bug report; it lands in the timeline as a note.
test('an agent escalates with a structured bug report', async ({ browser }) => {
  const alex = await agent(browser, FIRST, 'agent@meridian.test');
  const first = alex.getByRole('table', { name: 'Unassigned' }).getByRole('link').first();
  await alex.goto((await first.getAttribute('href'))!);
  await hydrated(alex);
  await alex.getByText('Escalate', { exact: true }).click();
  await alex.getByRole('combobox', { name: 'Escalate to' }).selectOption({ label: 'Marcus Webb' });
  await alex.getByLabel('Steps to reproduce').fill('Open Billing, click Download invoice');
  await alex.getByLabel('Expected', { exact: true }).fill('The PDF downloads');
  await alex.getByLabel('Actual', { exact: true }).fill('Error 500');
  await alex.getByRole('combobox', { name: 'Customer impact' }).selectOption('high');
  await alex.getByRole('button', { name: 'Send the escalation' }).click();
  const timeline = alex.getByRole('list', { name: 'History with this customer' });
  await expect(timeline).toContainText('Escalated to @manager — customer impact: high');
  await expect(timeline).toContainText('Error 500');
});

// A sales rep's dialogue: a colleague cannot take it over, only acknowledge and forward it.
test('a sales-owned dialogue is acknowledged and forwarded, not taken over', async ({ browser }) => {
  const alex = await agent(browser, FIRST, 'agent@meridian.test');
  // The demo gives Nora the newest open partnership dialogues (the newest open ones when
  // there are none): look among partnerships first, so newer dialogues of other purposes
  // never push hers off the first page.
  await alex.goto('/queue?view=open&sort=newest&topic=partnerships');
  await hydrated(alex);
  if (await alex.getByRole('row', { name: /Nora Quinn/ }).count() === 0) {
    await alex.goto('/queue?view=open&sort=newest');
    await hydrated(alex);
  }
  const row = alex.getByRole('row', { name: /Nora Quinn/ }).first();
  await row.getByRole('link').click();
  await hydrated(alex);
  await expect(alex.getByTestId('holder')).toHaveText('Held by Nora Quinn');
  await expect(alex.getByRole('button', { name: 'Take over' })).toHaveCount(0);
  await expect(alex.getByRole('button', { name: 'Reassign' })).toHaveCount(0);
  await alex.getByRole('button', { name: 'Acknowledge and forward' }).click();
  await expect(alex.getByText('I have forwarded it to Nora, who looks after your account').last()).toBeVisible();
  await expect(alex.getByTestId('holder')).toHaveText('Held by Nora Quinn');
});

// One queue within the lists: choosing a channel narrows the list to it, and the address keeps it.
test('an agent narrows the queue to one channel', async ({ browser }) => {
  const alex = await agent(browser, FIRST, 'agent@meridian.test');
  await alex.getByRole('group', { name: 'Queue' }).getByLabel('Channel').selectOption({ label: 'Billing e-mail' });
  await expect(alex).toHaveURL(/channel=\d+/);
  const table = alex.getByRole('table', { name: 'Unassigned' });
  await expect(table.locator('tbody tr').first()).toBeVisible();
  const channels = await table.locator('tbody tr td:first-child span').evaluateAll((spans) => spans.map((s) => s.getAttribute('title')));
  expect(new Set(channels)).toEqual(new Set(['Billing e-mail']));
  // The list tabs keep the channel.
  await alex.getByRole('navigation', { name: 'Queue lists' }).getByRole('link', { name: /All open/ }).click();
  await expect(alex).toHaveURL(/view=open.*channel=\d+/);
});
