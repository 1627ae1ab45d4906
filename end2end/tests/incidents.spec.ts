import { test, expect } from '@playwright/test';
import { hydrated, signedInPage } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

// A manager declares an incident, links two waiting dialogues, previews and sends an update
// (a double click sends it once), then closes the incident, which resolves both dialogues.
test('a manager declares an incident, updates its customers once and resolves it', async ({ browser }) => {
  const page = await signedInPage(browser, 'manager@meridian.test', errors);
  await page.goto('/queue');
  await hydrated(page);
  const links = page.getByRole('table', { name: 'Unassigned' }).getByRole('link');
  // From the end of the first page, away from the dialogues other tests take.
  const hrefs = [(await links.last().getAttribute('href'))!, (await links.nth(-2).getAttribute('href'))!];
  const ids = hrefs.map((h) => h.split('id=')[1]);

  await page.goto('/reports');
  await hydrated(page);
  await page.getByRole('link', { name: 'Incidents' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Incidents' })).toBeVisible();
  const declare = page.getByRole('form', { name: 'Declare an incident' });
  await declare.getByLabel('Title').fill('Checkout failing in Europe');
  await declare.getByLabel('What happened (for colleagues)').fill('Card payments time out at the bank.');
  await declare.getByRole('button', { name: 'Declare incident' }).click();
  await expect(page).toHaveURL(/\/reports\/incident\?id=\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Checkout failing in Europe' })).toBeVisible();
  await expect(page.getByText('No dialogues linked yet')).toBeVisible();

  await page.getByLabel('Dialogue numbers').fill(`#${ids[0]} 99999999`);
  await page.getByRole('button', { name: 'Link dialogues' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Linked 1 dialogue; no dialogue has the number #99999999.' })).toBeVisible();
  const incidentUrl = page.url();

  // The second one by hand, from the dialogue itself.
  await page.goto(hrefs[1]);
  await hydrated(page);
  // A live update may redraw the dialogue (and the form with it) between the choice and
  // the click, which leaves the required choice empty; choose and submit again then.
  const join = page.getByRole('form', { name: 'Link to an incident' });
  await expect(async () => {
    await join.getByLabel('Incident').selectOption({ label: 'Checkout failing in Europe' });
    await join.getByRole('button', { name: 'Link to incident' }).click();
    await expect(page.getByText('Part of the open incident “Checkout failing in Europe”')).toBeVisible({ timeout: 3000 });
  }).toPass({ timeout: 20000 });
  await page.goto(incidentUrl);
  await hydrated(page);
  const linked = page.getByRole('table', { name: /^Linked dialogues/ });
  await expect(linked.getByRole('row')).toHaveCount(3);

  // Preview: the text as the first customer reads it, and who gets it.
  await page.getByLabel('Message to every linked customer').fill('Hi {{customer.first_name}}, checkout is failing for some customers. We are on it.');
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByRole('region', { name: 'Preview of the mailing' })).toContainText(/^Hi \S+, checkout is failing/);
  const recipients = page.getByRole('table', { name: /^Recipients: \d customers, each once$/ });
  await expect(recipients).toBeVisible();
  const n = Number((await recipients.locator('caption').textContent())!.match(/\d+/)![0]);
  expect(n).toBeGreaterThanOrEqual(1);
  await page.getByRole('button', { name: `Send to ${n} customers` }).dblclick();
  await expect(page.getByRole('status').filter({ hasText: /Sent to \d customers\.|already sent/ }).first()).toBeVisible();
  const updates = page.getByRole('region', { name: 'Updates sent' }).getByRole('listitem');
  await expect(updates).toHaveCount(1);
  await expect(updates.first()).toContainText(`sent to ${n} customers`);

  // The customer's dialogue shows the update once.
  const dialogue = await browser.newPage({ storageState: await page.context().storageState() });
  await dialogue.goto(hrefs[0]);
  await hydrated(dialogue);
  await expect(dialogue.getByText(/checkout is failing for some customers/)).toHaveCount(1);
  await expect(dialogue.getByRole('link', { name: '“Checkout failing in Europe”' })).toBeVisible();

  // Closing message: the incident and both dialogues are resolved.
  await page.getByLabel('Message to every linked customer').fill('Checkout works again. Sorry for the trouble, {{customer.first_name}}.');
  await page.getByLabel('Closing message: resolve the incident and every linked dialogue').check();
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.getByRole('button', { name: `Send and resolve to ${n} customers` }).click();
  await expect(page.getByRole('status').filter({ hasText: '2 dialogues resolved.' })).toBeVisible();
  await expect(page.getByText(/^Resolved \d{4}-\d\d-\d\d/)).toBeVisible();
  await expect(linked.getByRole('cell', { name: 'resolved', exact: true })).toHaveCount(2);
  await expect(page.getByRole('button', { name: 'Preview' })).toHaveCount(0);

  // And it is in the list, resolved, and in the audit log.
  await page.getByRole('link', { name: 'All incidents' }).click();
  await expect(page.getByRole('row').filter({ hasText: 'Checkout failing in Europe' })).toContainText('Resolved');
  await page.goto('/reports/audit?action=mass_mailing');
  await hydrated(page);
  await expect(page.getByRole('row').filter({ hasText: 'Checkout failing in Europe' })).toHaveCount(2);
  await dialogue.close();
});
