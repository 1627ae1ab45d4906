import { test, expect } from '@playwright/test';
import { hydrated, signedInPage, watchForErrors } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

const FIRST = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3100';
const SECOND = process.env.E2E_SECOND_URL ?? 'http://127.0.0.1:3101';

// A customer on the public chat page (one server) and an agent in the queue (the other
// server): the customer's message arrives in the queue live, the agent claims and
// replies, the customer sees the agent typing and the reply live, the agent resolves,
// the customer rates it "Excellent", and the rating shows on the dialogue.
test('a customer chats with an agent, live, and rates the help', async ({ browser }) => {
  const agent = await signedInPage(browser, 'agent@meridian.test', errors, SECOND);
  await expect(agent).toHaveURL('/queue');
  await agent.goto('/queue?view=unassigned&sort=newest');
  await hydrated(agent);
  await expect(agent.getByRole('link', { name: 'Newest first' })).toHaveAttribute('aria-current', 'true');

  const customerContext = await browser.newContext({ baseURL: FIRST });
  const customer = await customerContext.newPage();
  watchForErrors(customer, errors);
  await customer.goto('/chat/website');
  const question = `My parcel ${Date.now()} has not arrived`;
  await customer.getByLabel('Your name').fill('Dana Ortiz');
  await customer.getByLabel('Your e-mail').fill(`dana.${Date.now()}@example.com`);
  await customer.getByLabel('How can we help?').fill(question);
  await customer.getByRole('button', { name: 'Start chat' }).click();
  await expect(customer.getByRole('list', { name: 'Conversation' }).getByText(question)).toBeVisible();

  // In the agent's queue, without a reload, from the other server.
  const row = agent.getByRole('link', { name: question });
  await expect(row).toBeVisible({ timeout: 5000 });
  await row.click();
  await hydrated(agent);
  await expect(agent.getByRole('heading', { level: 1, name: question })).toBeVisible();
  await agent.getByRole('button', { name: 'Claim' }).click();
  await expect(agent.getByTestId('holder')).toHaveText('Held by Alex Novak');

  // The customer sees the agent typing, then the reply, without reloading.
  await agent.getByLabel('Message').pressSequentially('It left our warehouse');
  await expect(customer.getByText('Alex is typing…')).toBeVisible({ timeout: 5000 });
  await agent.getByLabel('Message').fill('It left our warehouse today and arrives **tomorrow**.');
  await agent.getByRole('button', { name: 'Send reply' }).click();
  const reply = customer.getByRole('list', { name: 'Conversation' }).getByText('It left our warehouse today');
  await expect(reply).toBeVisible({ timeout: 5000 });
  await expect(customer.getByRole('list', { name: 'Conversation' }).locator('strong', { hasText: 'tomorrow' })).toBeVisible();

  // The customer answers from the page; the agent sees it live.
  await customer.getByLabel('Your message').fill('Great, thank you!');
  await customer.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(agent.getByText('Great, thank you!')).toBeVisible({ timeout: 5000 });

  // Resolved: the customer is asked to rate, and rates it excellent.
  await agent.getByRole('button', { name: 'Resolve' }).click();
  await expect(customer.getByRole('group', { name: 'How was the help you got?' })).toBeVisible({ timeout: 5000 });
  await customer.getByRole('radio', { name: 'Excellent' }).check();
  await customer.getByRole('radio', { name: '7 (Very easy)' }).check();
  await customer.getByLabel('Anything you want to add?').fill('Quick and friendly.');
  await customer.getByRole('button', { name: 'Send rating' }).click();
  await expect(customer.getByText('Thank you for your rating!')).toBeVisible();

  await agent.reload();
  await hydrated(agent);
  const rating = agent.getByRole('region', { name: "The customer's rating" });
  await expect(rating.getByRole('heading', { name: 'Rated Excellent by the customer' })).toBeVisible();
  await expect(rating.getByText('Ease: 7 of 7 (Very easy)')).toBeVisible();
  await expect(rating.getByText('Quick and friendly.')).toBeVisible();

  // Closing the tab and coming back finds the same conversation.
  const again = await customerContext.newPage();
  await again.goto('/chat/website');
  await expect(again.getByText(question)).toBeVisible();
  await customerContext.close();
});

// Owners see how to connect each channel and test the routing rules.
test('an owner tests where a message would be routed', async ({ browser }) => {
  const owner = await signedInPage(browser, 'owner@meridian.test', errors);
  await expect(owner).toHaveURL('/queue');
  await owner.goto('/admin/channels');
  await hydrated(owner);
  await expect(owner.getByRole('heading', { level: 1, name: 'Channels and routing' })).toBeVisible();
  await expect(owner.getByRole('article', { name: 'Website chat' }).getByLabel('Embed on your site (a chat button)')).toHaveValue(/\/chat\/website\/embed\.js/);
  const rules = owner.getByRole('table', { name: 'Routing rules' });
  await expect(rules.getByRole('row', { name: /Money questions/ })).toBeVisible();

  const test = owner.getByRole('form', { name: 'Test the rules' });
  await test.getByLabel('Subject').fill('Please refund my last invoice');
  await test.getByRole('button', { name: 'Test' }).click();
  await expect(test.getByRole('status')).toHaveText('Rule “Money questions” matches: Billing, no team.');

  // Move "Technical problems" to the top: now it wins for a message naming both.
  await test.getByLabel('Subject').fill('Refund after the API error');
  await test.getByRole('button', { name: 'Test' }).click();
  await expect(test.getByRole('status')).toHaveText('Rule “Money questions” matches: Billing, no team.');
  for (let i = 0; i < 4; i++) {
    await owner.getByRole('button', { name: 'Move Technical problems up' }).click();
    await expect(rules.getByRole('row').nth(4 - i).getByRole('rowheader')).toHaveText('Technical problems');
  }
  await test.getByLabel('Subject').fill('Refund after the API error');
  await test.getByRole('button', { name: 'Test' }).click();
  await expect(test.getByRole('status')).toHaveText('Rule “Technical problems” matches: Technical, no team.');
});
