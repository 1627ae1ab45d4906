import { test, expect } from '@playwright/test';
import { hydrated, signedInPage, watchForErrors } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

// A manager writes and publishes an article with a live preview; an agent finds it from a
// dialogue's reply box with a misspelt query and inserts its link; a customer finds it in
// the help centre and marks it helpful; the manager, its owner, sees the vote.
test('write, find from the reply box, help a customer, see the vote', async ({ browser }) => {
  const title = `Rotate quokka tokens ${Date.now() % 100000}`;

  const marcus = await signedInPage(browser, 'manager@meridian.test', errors);
  await expect(marcus).toHaveURL('/queue');
  await marcus.goto('/kb');
  await hydrated(marcus);
  await marcus.getByRole('link', { name: 'New article' }).click();
  await expect(marcus.getByRole('heading', { level: 1, name: 'New article' })).toBeVisible();
  await hydrated(marcus);
  await marcus.getByLabel('Title', { exact: true }).fill(title);
  await marcus.getByLabel('Category').selectOption({ label: 'Integrations and API' });
  await marcus.getByLabel('Tags').fill('api, security');
  await marcus.getByLabel('Visibility').selectOption('public');
  await marcus.getByLabel('Status').selectOption('published');
  await marcus.getByLabel('Text (Markdown)').fill('## Steps\n\n1. Open **Settings → API**.\n2. Create a new token, then revoke the old one.\n\n<script>alert(1)</script>');
  // The preview follows the typing, with the raw HTML shown as text.
  const preview = marcus.getByRole('region', { name: 'Preview' });
  await expect(preview.getByRole('heading', { name: 'Steps' })).toBeVisible();
  await expect(preview.locator('strong')).toHaveText('Settings → API');
  await expect(preview).toContainText('<script>alert(1)</script>');
  await marcus.getByLabel('What changed (for the history)').fill('First version');
  await marcus.getByRole('button', { name: 'Save' }).click();
  await expect(marcus).toHaveURL(/\/kb\/article\?id=\d+/);
  await expect(marcus.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(marcus.getByTestId('freshness')).toContainText('Owner Marcus Webb');
  const articleUrl = marcus.url();

  // Alex claims a dialogue and searches from its reply box, misspelling both words.
  const alex = await signedInPage(browser, 'agent@meridian.test', errors);
  await expect(alex).toHaveURL('/queue');
  const first = alex.getByRole('table', { name: 'Unassigned' }).getByRole('link').first();
  await alex.goto((await first.getAttribute('href'))!);
  await hydrated(alex);
  await alex.getByRole('button', { name: 'Claim' }).click();
  await expect(alex.getByTestId('holder')).toHaveText('Held by Alex Novak');
  await alex.getByLabel('Search the knowledge base').fill('qokka tokns');
  const found = alex.getByRole('list', { name: 'Articles found' });
  await expect(found.getByText(title)).toBeVisible();
  await alex.getByRole('button', { name: `Preview ${title}` }).click();
  await expect(alex.getByRole('region', { name: `Preview of ${title}` })).toContainText('revoke the old one');
  await alex.getByRole('button', { name: `Insert link to ${title}` }).click();
  await expect(alex.getByLabel('Message')).toHaveValue(new RegExp(`${title}: http://[^ ]+/help/articles/\\d+`));
  await alex.getByRole('button', { name: 'Send reply' }).click();
  await expect(alex.getByLabel('Message')).toHaveValue('');
  await expect(alex.getByRole('list', { name: 'History with this customer' })).toContainText(`${title}: http`);

  // Alex starts a draft article from the dialogue: its subject is the title.
  const subject = (await alex.getByRole('heading', { level: 1 }).textContent())!;
  await alex.getByRole('link', { name: 'Start an article from this dialogue' }).click();
  await expect(alex.getByRole('heading', { level: 1, name: 'New article' })).toBeVisible();
  await expect(alex.getByLabel('Title', { exact: true })).toHaveValue(subject);
  await expect(alex.getByLabel('Text (Markdown)')).toHaveValue(/## Question/);

  // A customer, not signed in, finds it in the help centre and says it helped.
  const customer = await (await browser.newContext()).newPage();
  watchForErrors(customer, errors);
  await customer.goto('/help');
  await customer.getByLabel('Search the help centre').fill('quokka tokens');
  await customer.getByRole('button', { name: 'Search' }).click();
  await customer.getByRole('link', { name: title }).click();
  await expect(customer.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(customer.locator('.markdown')).toContainText('<script>alert(1)</script>');
  await customer.getByRole('button', { name: 'Yes' }).click();
  await expect(customer.getByRole('status')).toHaveText('Thanks for your feedback!');

  // The owner sees the view and the vote.
  await marcus.goto(articleUrl);
  await expect(marcus.getByTestId('feedback')).toHaveText('1 view in the help centre · helpful: 1 yes, 0 no');
});

// Internal articles never reach the help centre, even by their address.
test('an internal article is not in the help centre', async ({ browser }) => {
  const page = await signedInPage(browser, 'manager@meridian.test', errors);
  await expect(page).toHaveURL('/queue');
  await page.goto('/kb');
  await hydrated(page);
  // The list pages through every article in title order.
  const list = page.getByRole('list', { name: 'Articles' });
  const firstTitle = await list.getByRole('link').first().textContent();
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page.getByRole('button', { name: 'First page' })).toBeVisible();
  await expect(list.getByRole('link').first()).not.toHaveText(firstTitle!);
  await page.getByLabel('Visibility').selectOption('internal');
  await expect(page.getByRole('button', { name: 'First page' })).toHaveCount(0);
  const link = page.getByRole('list', { name: 'Articles' }).getByRole('link').first();
  const href = (await link.getAttribute('href'))!;
  const id = href.split('=')[1];
  const customer = await (await browser.newContext()).newPage();
  const res = await customer.goto(`/help/articles/${id}`);
  expect(res!.status()).toBe(404);
});
