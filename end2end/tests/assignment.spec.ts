import { test, expect } from '@playwright/test';
import { hydrated, signedInPage, watchForErrors } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

// A manager reads the demo's round-robin on Asia-Pacific chat, is told why a capacity of 0
// is refused (nothing changes), sets Americas e-mail to balanced and back, and gives an
// agent skills; an agent reads the same page without a form.
test('managers set how dialogues reach agents, and agents read it', async ({ browser }) => {
  const marcus = await signedInPage(browser, 'manager@meridian.test', errors);
  await marcus.goto('/queue');
  await hydrated(marcus);
  await marcus.getByRole('link', { name: 'Assignment' }).click();
  await expect(marcus.getByRole('heading', { level: 1, name: 'Assignment' })).toBeVisible();
  await hydrated(marcus);
  const modes = marcus.getByRole('table', { name: 'Assignment per team and channel' });
  await expect(modes.getByLabel('Mode for Asia-Pacific Chat')).toHaveValue('round_robin');
  await expect(modes.getByLabel('Capacity for Asia-Pacific Chat')).toHaveValue('3');

  const capacity = modes.getByLabel('Capacity for Americas E-mail');
  await capacity.fill('0');
  await modes.getByRole('button', { name: 'Save Americas E-mail' }).click();
  await expect(marcus.getByRole('alert')).toContainText('A capacity is 1 to 100');
  await marcus.reload();
  await hydrated(marcus);
  await expect(modes.getByLabel('Mode for Americas E-mail')).toHaveValue('manual');

  await modes.getByLabel('Mode for Americas E-mail').selectOption({ label: 'Balanced: fewest open first' });
  await modes.getByLabel('Capacity for Americas E-mail').fill('12');
  await modes.getByRole('button', { name: 'Save Americas E-mail' }).click();
  await expect(marcus.getByRole('status')).toContainText('Assignment saved');
  await marcus.reload();
  await hydrated(marcus);
  await expect(modes.getByLabel('Mode for Americas E-mail')).toHaveValue('balanced');
  await expect(modes.getByLabel('Capacity for Americas E-mail')).toHaveValue('12');
  await modes.getByLabel('Mode for Americas E-mail').selectOption({ label: 'Manual: agents claim' });
  await modes.getByRole('button', { name: 'Save Americas E-mail' }).click();
  await expect(marcus.getByRole('status')).toContainText('Assignment saved');

  const skills = marcus.getByRole('table', { name: "Agents' skills" });
  await expect(skills.getByLabel('Languages of Hana Sato')).toHaveValue('ja 5, en 4');
  await skills.getByLabel('Languages of Ethan Brooks').fill('es 9');
  await skills.getByRole('button', { name: 'Save skills of Ethan Brooks' }).click();
  await expect(marcus.getByRole('alert')).toContainText("level is 1 to 5");
  await skills.getByLabel('Languages of Ethan Brooks').fill('es 4, pt');
  await skills.getByLabel('Purposes of Ethan Brooks').fill('billing 5');
  await skills.getByRole('button', { name: 'Save skills of Ethan Brooks' }).click();
  await expect(marcus.getByRole('status')).toContainText('Skills saved');
  await marcus.reload();
  await hydrated(marcus);
  await expect(skills.getByLabel('Languages of Ethan Brooks')).toHaveValue('es 4, pt 3');
  await expect(skills.getByLabel('Purposes of Ethan Brooks')).toHaveValue('billing 5');

  const alex = await signedInPage(browser, 'agent@meridian.test', errors);
  await alex.goto('/queue/assignment');
  await hydrated(alex);
  const read = alex.getByRole('table', { name: 'Assignment per team and channel' });
  await expect(read.getByRole('row', { name: /Asia-Pacific Chat Round-robin 3/ })).toBeVisible();
  await expect(alex.getByRole('table', { name: "Agents' skills" }).getByRole('row', { name: /Ethan Brooks/ })).toContainText('billing 5');
  await expect(alex.getByRole('button', { name: /^Save/ })).toHaveCount(0);
});

// A new chat is assigned to an on-shift agent within capacity. An owner routes chats about
// warranties to Europe; the manager sets Europe's chat to round-robin and puts Alex on
// shift now (clearing whatever shift of his is in the way); Alex signs in. A customer's
// chat reaches Alex by itself; with the capacity then lowered to one chat per agent, a
// second one waits in Unassigned saying why. The demo is left as it was.
test('a new chat is assigned to an on-shift agent within capacity', async ({ browser }) => {
  const word = `warranty${Date.now() % 100000}`;
  const sofia = await signedInPage(browser, 'owner@meridian.test', errors);
  await sofia.goto('/admin/channels');
  await hydrated(sofia);
  const rule = sofia.getByRole('form', { name: 'New rule' });
  await rule.getByLabel('Rule name').fill(`Warranties ${word}`);
  await rule.getByLabel('Source channel').selectOption({ label: 'Website chat' });
  await rule.getByLabel('Keywords (comma-separated)').fill(word);
  await rule.getByLabel('Team').selectOption({ label: 'Europe' });
  await rule.getByRole('button', { name: 'Add rule' }).click();
  await expect(sofia.getByRole('table', { name: 'Routing rules' })).toContainText(`Warranties ${word}`);

  const marcus = await signedInPage(browser, 'manager@meridian.test', errors);
  await marcus.goto('/queue/assignment');
  await hydrated(marcus);
  const modes = marcus.getByRole('table', { name: 'Assignment per team and channel' });
  await modes.getByLabel('Mode for Europe Chat').selectOption({ label: 'Round-robin' });
  // The demo's agents already hold dozens of open chats each: the most there is.
  await modes.getByLabel('Capacity for Europe Chat').fill('100');
  await modes.getByRole('button', { name: 'Save Europe Chat' }).click();
  await expect(marcus.getByRole('status')).toContainText('Assignment saved');

  // Alex on shift from this minute for two hours, in the manager's time zone.
  await marcus.goto('/schedule');
  await hydrated(marcus);
  const zone = (await marcus.locator('p.lede', { hasText: 'Times on this page are in your time zone' }).locator('strong').textContent())!.trim();
  const now = new Date();
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const start = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
  const team = marcus.getByRole('region', { name: 'Team shifts' });
  const shifts = marcus.getByRole('table', { name: 'Shifts in the coming days' });
  for (let attempt = 0; ; attempt++) {
    await team.getByRole('combobox', { name: /Agent/ }).selectOption({ label: 'Alex Novak' });
    await team.getByLabel('Day', { exact: true }).fill(day);
    await team.getByLabel('Start', { exact: true }).fill(start);
    await team.getByLabel('Hours', { exact: true }).fill('2');
    await team.getByRole('button', { name: 'Add shift' }).click();
    const refused = marcus.getByRole('alert').filter({ hasText: 'That agent already has a shift then.' });
    const placed = shifts.getByRole('row').filter({ hasText: 'by hand' }).filter({ hasText: 'Alex Novak' }).filter({ hasText: start });
    await expect(refused.or(placed)).toBeVisible();
    if (await placed.isVisible()) break;
    expect(attempt, 'at most two of his shifts can be in the way').toBeLessThan(3);
    // The earliest of his shifts (under way or next) is the one in the way.
    const first = shifts.getByRole('button', { name: /^Remove Alex Novak's shift/ }).first();
    const before = await shifts.getByRole('button', { name: /^Remove Alex Novak's shift/ }).count();
    await first.click();
    await expect(shifts.getByRole('button', { name: /^Remove Alex Novak's shift/ })).toHaveCount(before - 1);
    await marcus.reload();
    await hydrated(marcus);
  }
  await expect(marcus.getByTestId('on-shift-now')).toContainText('Alex Novak');

  const alex = await signedInPage(browser, 'agent@meridian.test', errors);
  // Newest first: the demo's Alex already holds more open dialogues than one page shows.
  await alex.goto('/queue?view=mine&sort=newest');
  await hydrated(alex);

  const write = async (name: string, question: string) => {
    const context = await browser.newContext();
    const customer = await context.newPage();
    watchForErrors(customer, errors);
    await customer.goto('/chat/website');
    await customer.getByLabel('Your name').fill(name);
    await customer.getByLabel('Your e-mail').fill(`${name.split(' ')[0].toLowerCase()}.${word}@example.com`);
    await customer.getByLabel('How can we help?').fill(question);
    await customer.getByRole('button', { name: 'Start chat' }).click();
    await expect(customer.getByRole('list', { name: 'Conversation' }).getByText(question)).toBeVisible();
    await context.close();
  };
  const first = `My ${word} claim: the kettle stopped working.`;
  await write('Rosa Diaz', first);
  // The assignment job runs every few seconds in both server processes.
  await expect(async () => {
    await alex.reload();
    await expect(alex.getByRole('link', { name: first })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 20000 });
  await alex.getByRole('link', { name: first }).click();
  await hydrated(alex);
  await expect(alex.getByTestId('assigned-how')).toHaveText(/Assigned by (round-robin|skill)/);

  // Alex holds at least that chat now: at one chat per agent, the next one waits.
  await marcus.goto('/queue/assignment');
  await hydrated(marcus);
  await modes.getByLabel('Capacity for Europe Chat').fill('1');
  await modes.getByRole('button', { name: 'Save Europe Chat' }).click();
  await expect(marcus.getByRole('status')).toContainText('Assignment saved');
  const second = `Another ${word} question: is the toaster covered?`;
  await write('Sam Lee', second);
  await expect(async () => {
    await marcus.goto('/queue?view=unassigned&sort=newest');
    await expect(marcus.getByRole('row', { name: new RegExp(second) })).toContainText('Waiting: everyone on shift holds 1 open chat dialogue already.', { timeout: 1000 });
  }).toPass({ timeout: 20000 });

  // Leave the demo as it was: the rule, the mode and the shift.
  await sofia.reload();
  await hydrated(sofia);
  await sofia.getByRole('button', { name: `Delete Warranties ${word}` }).click();
  await expect(sofia.getByRole('table', { name: 'Routing rules' })).not.toContainText(`Warranties ${word}`);
  await marcus.goto('/queue/assignment');
  await hydrated(marcus);
  await modes.getByLabel('Mode for Europe Chat').selectOption({ label: 'Manual: agents claim' });
  await modes.getByRole('button', { name: 'Save Europe Chat' }).click();
  await expect(marcus.getByRole('status')).toContainText('Assignment saved');
  await marcus.goto('/schedule');
  await hydrated(marcus);
  await shifts.getByRole('row').filter({ hasText: 'by hand' }).filter({ hasText: start }).getByRole('button', { name: /^Remove Alex Novak's shift/ }).click();
  await expect(shifts.getByRole('row').filter({ hasText: 'by hand' }).filter({ hasText: start })).toHaveCount(0);
});
