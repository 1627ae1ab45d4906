import { test, expect } from '@playwright/test';
import { hydrated, signedInPage } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

// A manager opens the plan, sees the demand heatmap and the forecast's error, and the
// staffing follows the service-level slider without a round trip to the server.
test('a manager sees demand and moves the service-level slider to see staffing change', async ({ browser }) => {
  const marcus = await signedInPage(browser, 'manager@meridian.test', errors);
  await expect(marcus).toHaveURL('/queue');
  await marcus.goto('/schedule');
  await hydrated(marcus);
  await marcus.getByRole('link', { name: 'Plan staffing' }).click();
  await expect(marcus.getByRole('heading', { level: 1, name: 'Staffing plan' })).toBeVisible();
  await hydrated(marcus);
  await expect(marcus.getByRole('img', { name: 'New dialogues per weekday and hour' })).toBeVisible();
  await expect(marcus.getByRole('table', { name: 'Forecast against what arrived' })).toBeVisible();

  const peak = marcus.getByTestId('peak-agents');
  await expect(peak).not.toHaveText('0');
  const before = Number(await peak.textContent());
  await marcus.getByLabel(/Service level target/).fill('99');
  await marcus.getByLabel(/Answered within/).fill('10');
  await expect(peak).not.toHaveText(String(before));
  expect(Number(await peak.textContent())).toBeGreaterThan(before);
  await expect(marcus.getByText('Service level target: 99 %')).toBeVisible();
  await expect(marcus.getByTestId('busiest')).toContainText(/agents on the floor, \d+ scheduled; (99\.\d|100\.0) % answered in time/);

  // A follow-the-sun roster for next week, from this requirement.
  await marcus.getByLabel(/Service level target/).fill('80');
  await marcus.getByRole('button', { name: "Generate next week's roster" }).click();
  await expect(marcus.getByRole('status').filter({ hasText: 'Proposed' })).toHaveText(/Proposed \d+ shifts for \d+ agents/);
  await expect(marcus.getByRole('img', { name: 'Required against scheduled agents per interval' })).toBeVisible();

  // Can that roster keep the chat policy's promise (first response within 5 minutes)?
  const chat = marcus.getByRole('article', { name: 'Chat', exact: true });
  await expect(chat.getByRole('heading', { name: 'Chat (every team): first response within 5 min' })).toBeVisible();
  await expect(chat.getByRole('img', { name: 'Chat: intervals kept and short next week' })).toBeVisible();
  await expect(chat.getByTestId('promise-summary')).toHaveText(/The roster keeps the promise in all \d+ intervals|Short in \d+ of \d+ intervals/);
  // One chat at a time for an hour each: the same roster falls short, hour by hour, in the browser.
  await marcus.getByLabel(/Chats per agent at once/).fill('1');
  await marcus.getByLabel(/Handling time/).fill('3600');
  await expect(chat.getByTestId('promise-summary')).toHaveText(/Short in \d+ of \d+ intervals/);
  await expect(chat.getByRole('table', { name: 'Hours short for Chat' }).getByRole('row').nth(1)).toContainText(/(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d–\d\d:\d\d/);

  // Today's risk: each team's chats so far against the forecast.
  const risk = marcus.getByRole('table', { name: "Today's risk per team" });
  await expect(risk.getByRole('row')).not.toHaveCount(1);
  await expect(risk.getByRole('row').nth(1)).toContainText(/\d+ \/ \d+/);

  // Alex (Europe/Berlin) sees his shifts in his own time zone.
  const alex = await signedInPage(browser, 'agent@meridian.test', errors);
  await expect(alex).toHaveURL('/queue');
  await alex.goto('/schedule');
  await hydrated(alex);
  await expect(alex.getByText('Times on this page are in your time zone, Europe/Berlin.')).toBeVisible();
  const shifts = alex.getByRole('table', { name: 'My shifts' }).getByRole('row');
  await expect(shifts.nth(1)).toContainText('8.0 h');

  // Another channel: e-mail is planned from its response target, not Erlang C.
  await marcus.getByLabel('Channel').selectOption('email');
  await marcus.getByRole('button', { name: 'Show' }).click();
  await expect(marcus).toHaveURL(/channel=email/);
  await expect(marcus.getByText(/Response target: \d+ s/)).toBeVisible();
});

// An agent asks for a day off and gets a calendar link; the manager approves the request.
test('time off is requested by the agent and approved by the manager; the calendar link is shown once', async ({ browser }) => {
  const alex = await signedInPage(browser, 'agent@meridian.test', errors);
  await expect(alex).toHaveURL('/queue');
  await alex.goto('/schedule');
  await hydrated(alex);
  await alex.getByRole('button', { name: 'Get my calendar link' }).click();
  await expect(alex.getByTestId('calendar-url')).toHaveText(/\/calendar\/[\w-]+\.ics$/);
  const url = (await alex.getByTestId('calendar-url').textContent())!;
  const ics = await alex.request.get(url.startsWith('http') ? url : url.replace(/^.*\/calendar\//, '/calendar/'));
  expect(ics.status()).toBe(200);
  expect(await ics.text()).toContain('BEGIN:VCALENDAR');

  // The region's hand-over note for the next shift.
  await alex.getByRole('textbox', { name: 'Hand-over note' }).fill('Card payments flaky since 14:00; Mrs Ito waits for a callback.');
  await alex.getByRole('button', { name: 'Save the note' }).click();
  await expect(alex.getByText(/Last written by Alex Novak/)).toBeVisible();

  const day = new Date(Date.now() + 9 * 86400000).toISOString().slice(0, 10);
  await alex.getByLabel('First day').fill(day);
  await alex.getByLabel('Last day').fill(day);
  await alex.getByLabel('Reason').fill('Family wedding');
  await alex.getByRole('button', { name: 'Request time off' }).click();
  await expect(alex.getByRole('list', { name: 'My time-off requests' })).toContainText('(Family wedding) · pending');

  const marcus = await signedInPage(browser, 'manager@meridian.test', errors);
  await expect(marcus).toHaveURL('/queue');
  await marcus.goto('/schedule');
  await hydrated(marcus);
  await marcus.getByRole('button', { name: "Approve Alex Novak's time off" }).click();
  await expect(marcus.getByRole('button', { name: "Approve Alex Novak's time off" })).toHaveCount(0);

  // The manager places an evening shift by hand for Alex, a week from now (after the
  // generated daytime shift, which it must not overlap).
  await expect(marcus.getByTestId('on-shift-now')).toContainText('On shift now:');
  const night = new Date(Date.now() + 7 * 86400000).toISOString().slice(0, 10);
  const team = marcus.getByRole('region', { name: 'Team shifts' });
  await team.getByRole('combobox', { name: /Agent/ }).selectOption({ label: 'Alex Novak' });
  await team.getByLabel('Day', { exact: true }).fill(night);
  await team.getByLabel('Start', { exact: true }).fill('21:00');
  await team.getByRole('button', { name: 'Add shift' }).click();
  const byHand = marcus.getByRole('table', { name: 'Shifts in the coming days' }).getByRole('row').filter({ hasText: 'by hand' }).filter({ hasText: '21:00' });
  await expect(byHand).toHaveCount(1);
  await expect(byHand).toContainText('Alex Novak');

  await alex.reload();
  await hydrated(alex);
  await expect(alex.getByRole('list', { name: 'My time-off requests' })).toContainText('(Family wedding) · approved');
});
