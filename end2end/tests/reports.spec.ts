import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { hydrated, signedInPage } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

// A manager's weekly review: the figures with their definitions, the charts, one channel
// only, a CSV export, and from a bad rating straight to its dialogue.
test('a manager reads the reports, exports a CSV and drills from a bad rating to its dialogue', async ({ browser }) => {
  const page = await signedInPage(browser, 'manager@meridian.test', errors);
  await expect(page).toHaveURL('/queue');
  await page.goto('/reports');
  await hydrated(page);
  await expect(page.getByTestId('report-period')).toContainText('compared with');
  const csat = page.locator('.figure').filter({ hasText: 'CSAT' });
  await expect(csat.locator('.figure-value')).toHaveText(/^\d+\.\d %$/);
  await expect(csat).toContainText(/\d+ rated dialogues/);
  const frt = page.locator('.figure').filter({ hasText: 'First response, median' });
  await expect(frt.locator('.figure-value')).toHaveText(/\d+ (s|min)|\d+ h \d+ min/);

  // Every figure says how it is counted.
  await page.getByRole('link', { name: 'How CSAT is counted' }).click();
  await expect(page).toHaveURL(/#def-csat$/);
  await expect(page.locator('#def-csat + dd')).toContainText('Good and excellent ratings ÷ all ratings');

  // Pictures, with their numbers for screen readers.
  await expect(page.getByRole('img', { name: /New dialogues by weekday and hour/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /^Ratings: \d+ bad, \d+ good, \d+ excellent$/ })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Public replies per agent, the busiest first' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Agents', exact: true }).getByRole('row').filter({ hasText: 'Alex Novak' })).toBeVisible();

  // The agents' figures as a file.
  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download agents as CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^meridian-agent-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8').split('\n');
  expect(csv[0]).toMatch(/^key,name,dialogues,first_responses,/);
  expect(csv.some((line) => line.includes(',Alex Novak,'))).toBe(true);

  // One channel only.
  const filters = page.getByRole('form', { name: 'Period and filters' });
  await filters.getByLabel('Channel').selectOption({ label: 'Website chat' });
  await filters.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(/channel=\d+/);
  await expect(filters.getByLabel('Channel')).toHaveValue(/\d+/);
  await expect(page.getByRole('table', { name: 'Channels', exact: true }).getByRole('row')).toHaveCount(2);

  // From a bad rating to the dialogue it rates.
  const bad = page.locator('.low-ratings a').first();
  const subject = (await bad.textContent())!;
  await bad.click();
  await expect(page).toHaveURL(/\/dialogue\?id=\d+/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(subject);
});
