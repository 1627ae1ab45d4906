import { test, expect } from '@playwright/test';
import { hydrated, signedInPage } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

// A manager writes a macro; an agent picks a trending topic in the queue, selects two of
// its dialogues, previews the macro with the placeholders filled, confirms, and sends it
// once — sending the same request again sends nothing.
test('a macro goes to the dialogues of a trending topic, once', async ({ browser }) => {
  const name = `Known issue ${Date.now() % 100000}`;
  const marcus = await signedInPage(browser, 'manager@meridian.test', errors);
  await expect(marcus).toHaveURL('/queue');
  await marcus.getByRole('link', { name: 'Macros' }).click();
  await expect(marcus.getByRole('heading', { level: 1, name: 'Macros' })).toBeVisible();
  await hydrated(marcus);
  await marcus.getByLabel('Name').fill(name);
  await marcus.getByLabel('Reply').fill('Hi {{customer.first_name}}, we are on it. {{agent.first_name}}');
  await marcus.getByLabel('Then').selectOption('postponed');
  await marcus.getByLabel('Add tags').fill('incident');
  await marcus.getByRole('button', { name: 'Save macro' }).click();
  await expect(marcus.getByRole('status')).toHaveText(`Saved “${name}”.`);
  await expect(marcus.getByRole('table', { name: 'Macros' })).toContainText(name);

  const alex = await signedInPage(browser, 'agent@meridian.test', errors);
  await expect(alex).toHaveURL('/queue');
  await hydrated(alex);
  const topics = alex.getByRole('list', { name: 'Trending topics' });
  await topics.getByRole('button').first().click();
  const panel = alex.getByRole('region', { name: /^Mass reply/ });
  const boxes = panel.getByRole('list', { name: 'Dialogues to answer' }).getByRole('checkbox');
  await expect(boxes.first()).toBeChecked();
  await panel.getByRole('button', { name: 'Select none' }).click();
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await panel.getByLabel('Macro').selectOption({ label: name });
  await expect(panel.getByRole('region', { name: 'Preview for the first dialogue' })).toHaveText(/^Hi \S+, we are on it\. Alex$/);
  await panel.getByRole('button', { name: 'Reply to 2 dialogues' }).click();
  await expect(panel.getByText('Send to 2 customers now? This cannot be undone.')).toBeVisible();
  await panel.getByRole('button', { name: 'Send now' }).click();
  await expect(panel.getByRole('status')).toHaveText(`“${name}” sent to 2 dialogues.`);
  // The same confirmed request again: the server recognises it and sends nothing.
  await panel.getByRole('button', { name: 'Send now' }).click();
  await expect(panel.getByRole('status')).toContainText('already sent; nothing was sent twice');
});
