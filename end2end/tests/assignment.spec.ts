import { test, expect } from '@playwright/test';
import { hydrated, signedInPage } from './helpers';

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
