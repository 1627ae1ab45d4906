import { test, expect } from '@playwright/test';
import { hydrated, signedInPage, watchForErrors } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

const SECOND = process.env.E2E_SECOND_URL ?? 'http://127.0.0.1:3101';

// A manager reads the demo's rules, is told a rule needs an action (nothing is saved),
// tries a rule with a dry run (every open dialogue, then none once it looks for a word),
// saves it; a customer's new chat with that word is raised to urgent and tagged by the
// rule, which the dialogue's history says; the rule counts its firing; an agent reads the
// rules without a form.
test("a rule's dry run and its firing", async ({ browser }) => {
  const word = `kiwi${Date.now() % 100000}`;
  const name = `Kiwi orders are urgent ${word}`;
  const marcus = await signedInPage(browser, 'manager@meridian.test', errors);
  await marcus.goto('/queue');
  await hydrated(marcus);
  await marcus.getByRole('link', { name: 'Rules' }).click();
  await expect(marcus.getByRole('heading', { level: 1, name: 'Rules' })).toBeVisible();
  await hydrated(marcus);
  const list = marcus.getByRole('table', { name: 'Rules, in the order they are tried' });
  await expect(list.getByRole('row', { name: /Refunds and double charges go high/ })).toContainText('set the priority to High; tag refund');
  await expect(list.getByRole('row', { name: /Remind after 3 days/ })).toContainText('After 3 d 0 h waiting for the customer');

  const form = marcus.getByRole('form', { name: 'Rule' });
  await form.getByLabel('Name').fill(name);
  await form.getByRole('button', { name: 'Remove action 1' }).click();
  await form.getByRole('button', { name: 'Save rule' }).click();
  await expect(marcus.getByRole('alert')).toContainText('A rule needs at least one action.');
  await expect(list.getByRole('row', { name: new RegExp(word) })).toHaveCount(0);

  await form.getByRole('button', { name: 'Add an action' }).click();
  await form.getByLabel('Priority for action 1').selectOption('urgent');
  await form.getByRole('button', { name: 'Add an action' }).click();
  await form.getByLabel('Action 2', { exact: true }).selectOption('add_tags');
  await form.getByLabel('Tags for action 2').fill('kiwi');
  await form.getByLabel('Channel').selectOption('chat');

  // Without words it matches every open chat; with the word, none yet.
  await form.getByRole('button', { name: 'Dry run' }).click();
  const dry = marcus.getByRole('region', { name: 'Dry run' });
  await expect(dry.getByRole('heading')).toHaveText(/^Dry run: [1-9]\d* of \d+ open dialogues match now$/);
  await expect(dry).toContainText('On each it would set the priority to Urgent, then tag kiwi.');
  await expect(dry.getByRole('table', { name: /Dialogues the rule matches now/ }).getByRole('link').first()).toBeVisible();
  await form.getByLabel(/^Words or phrases/).fill(word);
  await form.getByRole('button', { name: 'Dry run' }).click();
  await expect(dry.getByRole('heading')).toHaveText(/^Dry run: 0 of \d+ open dialogues match now$/);
  await expect(dry).toContainText('No open dialogue matches it now');

  await form.getByRole('button', { name: 'Save rule' }).click();
  await expect(marcus.getByRole('status')).toContainText('Rule saved');
  const row = list.getByRole('row', { name: new RegExp(word) });
  await expect(row).toContainText('When a dialogue is created');
  await expect(row).toContainText(`Chat · mentions “${word}”`);
  await expect(row).toContainText('Never');

  // A customer writes on the chat page (the other server); the rule fires on it.
  const customerContext = await browser.newContext({ baseURL: SECOND });
  const customer = await customerContext.newPage();
  watchForErrors(customer, errors);
  await customer.goto('/chat/website');
  const question = `Where is my ${word} order?`;
  await customer.getByLabel('Your name').fill('Kim Park');
  await customer.getByLabel('Your e-mail').fill(`kim.${word}@example.com`);
  await customer.getByLabel('How can we help?').fill(question);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await expect(customer.getByRole('list', { name: 'Conversation' }).getByText(question)).toBeVisible();

  await marcus.goto('/queue?view=unassigned&sort=newest');
  await hydrated(marcus);
  await marcus.getByRole('link', { name: question }).click();
  await hydrated(marcus);
  await expect(marcus.getByRole('heading', { level: 1, name: question })).toBeVisible();
  await expect(async () => {
    await marcus.reload();
    await expect(marcus.getByText(`rule fired “${name}”: priority set to Urgent; tagged kiwi`)).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15000 });
  await hydrated(marcus);
  await expect(marcus.getByLabel('Priority')).toHaveValue('urgent');
  await expect(marcus.getByRole('list', { name: 'Dialogue tags' }).getByRole('listitem')).toHaveText(['kiwi']);

  await marcus.goto('/queue/rules');
  await hydrated(marcus);
  await expect(list.getByRole('row', { name: new RegExp(word) })).toContainText('1 in 7 days');

  const alex = await signedInPage(browser, 'agent@meridian.test', errors);
  await alex.goto('/queue/rules');
  await hydrated(alex);
  await expect(alex.getByRole('table', { name: 'Rules, in the order they are tried' }).getByRole('row', { name: new RegExp(word) })).toBeVisible();
  await expect(alex.getByRole('button', { name: 'Save rule' })).toHaveCount(0);

  // Leave the demo as it was.
  await marcus.getByRole('button', { name: `Delete ${name}` }).click();
  await expect(list.getByRole('row', { name: new RegExp(word) })).toHaveCount(0);
});

// An owner's webhooks: an address that is not http(s) is refused with a sentence; the
// demo's subscription to the local test receiver (`meridian webhook-receiver`, started by
// the test script) delivers a new chat's dialogue_created, signed, and the page lists it.
test('owners subscribe webhooks and see their deliveries', async ({ browser }) => {
  const owner = await signedInPage(browser, 'owner@meridian.test', errors);
  await owner.goto('/admin');
  await hydrated(owner);
  await owner.getByRole('link', { name: 'Webhooks' }).click();
  await expect(owner.getByRole('heading', { level: 1, name: 'Webhooks' })).toBeVisible();
  await hydrated(owner);
  const form = owner.getByRole('form', { name: 'Subscribe an address' });
  await form.getByLabel('Address').fill('ftp://files.example.com/in');
  await form.getByRole('button', { name: 'Subscribe' }).click();
  await expect(owner.getByRole('alert')).toContainText('starts with http:// or https://');
  const subscriptions = owner.getByRole('table', { name: 'Subscriptions' });
  await expect(subscriptions.getByRole('row')).toHaveCount(2);
  await expect(subscriptions.getByRole('row', { name: /127\.0\.0\.1:3900\/hook/ })).toContainText('dialogue_created');

  const customerContext = await browser.newContext({ baseURL: SECOND });
  const customer = await customerContext.newPage();
  watchForErrors(customer, errors);
  await customer.goto('/chat/website');
  await customer.getByLabel('Your name').fill('Webhook Watcher');
  await customer.getByLabel('Your e-mail').fill(`watcher.${Date.now()}@example.com`);
  await customer.getByLabel('How can we help?').fill('Is the webhook listening?');
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await expect(customer.getByRole('list', { name: 'Conversation' }).getByText('Is the webhook listening?')).toBeVisible();

  await expect(async () => {
    await owner.reload();
    const delivered = owner.getByRole('table', { name: 'Latest deliveries' }).getByRole('row').filter({ hasText: 'dialogue_created' }).filter({ hasText: 'delivered' });
    await expect(delivered.first()).toContainText('HTTP 204', { timeout: 1000 });
  }).toPass({ timeout: 20000 });
});
