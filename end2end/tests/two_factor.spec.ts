import { test, expect, Browser, Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { hydrated, invitedColleague, signedInPage, signIn, watchForErrors } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

/** RFC 4648 base 32 (the key Meridian shows to type in by hand), spaces ignored. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/\s+/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((b) => parseInt(b, 2)));
}

/** What an authenticator app shows for `key` at `at` (RFC 6238: SHA-1, 30 s, 6 digits), written here independently of Meridian. */
function authenticatorCode(key: string, at = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', base32(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  watchForErrors(page, errors);
  return page;
}

async function recoveryCodes(page: Page): Promise<string[]> {
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();
  const items = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(items).toHaveCount(10);
  return (await items.allTextContents()).map((t) => t.trim());
}

// A person turns on two-factor sign-in in Account settings from the QR code's key, then
// signs in with a code from the app (a wrong one is refused with the reason), has this
// browser remembered, and signs in elsewhere with a recovery code that works only once.
test('two-factor sign-in is turned on and used to sign in', async ({ browser }) => {
  const email = `kim.${Date.now()}@meridian.test`;
  const password = 'amber-harbour-violin-31';
  await invitedColleague(browser, errors, 'Kim Tanaka', email, password);

  const page = await freshPage(browser);
  await signIn(page, email, password);
  await expect(page).toHaveURL('/queue');
  await page.getByRole('link', { name: /Kim Tanaka/ }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Account settings' })).toBeVisible();
  await hydrated(page);
  const section = page.getByRole('region', { name: 'Two-factor sign-in' });
  await expect(section).toContainText('Off.');
  await section.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  await expect(section.getByRole('img', { name: 'QR code to scan with your authenticator app' })).toBeVisible();
  const key = (await section.getByLabel('Key to type in').textContent())!;
  expect(key.replace(/\s+/g, '')).toMatch(/^[A-Z2-7]{32}$/);
  await section.getByLabel('Code from your app').fill(authenticatorCode(key));
  await section.getByRole('button', { name: 'Turn on' }).click();
  const codes = await recoveryCodes(page);
  expect(codes[0]).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
  await expect(section.getByRole('status')).toContainText('10 of 10 recovery codes left');

  // Another browser: the password leads to the second step.
  const second = await freshPage(browser);
  await signIn(second, email, password);
  await expect(second).toHaveURL('/sign-in/second-factor');
  await expect(second.getByRole('heading', { name: 'Two-factor sign-in' })).toBeVisible();
  await hydrated(second);
  const codeBox = second.getByLabel('Code from your app, or a recovery code');
  await codeBox.fill('12345');
  await second.getByRole('button', { name: 'Verify' }).click();
  await expect(second.getByRole('alert')).toContainText('six-digit code');
  // The code of the next 30 seconds (the one set-up used is never accepted again).
  await second.getByLabel('Code from your app, or a recovery code').fill(authenticatorCode(key, Date.now() + 30_000));
  await second.getByLabel('Remember this browser for 30 days').check();
  await second.getByRole('button', { name: 'Verify' }).click();
  await expect(second).toHaveURL('/queue');
  await expect(second.getByRole('navigation', { name: 'Main' })).toBeVisible();
  // Remembered: signing out and in again asks for the password only.
  await second.getByRole('button', { name: 'Sign out' }).click();
  await expect(second).toHaveURL('/sign-in');
  await signIn(second, email, password);
  await expect(second).toHaveURL('/queue');

  // A third browser signs in with a recovery code; a fourth cannot use it again.
  const third = await freshPage(browser);
  await signIn(third, email, password);
  await expect(third).toHaveURL('/sign-in/second-factor');
  await hydrated(third);
  await third.getByLabel('Code from your app, or a recovery code').fill(codes[0]);
  await third.getByRole('button', { name: 'Verify' }).click();
  await expect(third).toHaveURL('/queue');
  const fourth = await freshPage(browser);
  await signIn(fourth, email, password);
  await expect(fourth).toHaveURL('/sign-in/second-factor');
  await hydrated(fourth);
  await fourth.getByLabel('Code from your app, or a recovery code').fill(codes[0]);
  await fourth.getByRole('button', { name: 'Verify' }).click();
  await expect(fourth.getByRole('alert')).toContainText('That code is not right');
  await expect(fourth).toHaveURL('/sign-in/second-factor');

  await page.reload();
  await expect(page.getByRole('region', { name: 'Two-factor sign-in' }).getByRole('status')).toContainText('9 of 10 recovery codes left');
  for (const p of [page, second, third, fourth]) await p.context().close();
});

// An owner requires two-factor sign-in for QA reviewers: a reviewer without it sets it
// up at their next sign-in (QR code, first code, recovery codes) before they get in;
// the owner then resets it for them from Admin.
test('an owner requires two-factor sign-in for a role and resets it for a person', async ({ browser }) => {
  const owner = await signedInPage(browser, 'owner@meridian.test', errors);
  await owner.goto('/admin');
  await hydrated(owner);
  const policy = owner.getByRole('form', { name: 'Two-factor sign-in policy' });
  const save = async (tick: boolean, expected: string) => {
    const box = policy.getByLabel('QA reviewer');
    if (tick) await box.check(); else await box.uncheck();
    await policy.getByRole('button', { name: 'Save two-factor policy' }).click();
    await expect(owner.getByRole('status').filter({ hasText: expected })).toBeVisible();
  };
  await save(true, 'Two-factor sign-in is now required for QA reviewer.');
  try {
    const email = `noor.${Date.now()}@meridian.test`;
    const password = 'quiet-river-lantern-58';
    await invitedColleague(browser, errors, 'Noor Haddad', email, password, 'QA reviewer');
    const page = await freshPage(browser);
    await signIn(page, email, password);
    await expect(page).toHaveURL('/sign-in/second-factor');
    await expect(page.getByRole('heading', { name: 'Set up two-factor sign-in' })).toBeVisible();
    await hydrated(page);
    await expect(page.getByRole('img', { name: 'QR code to scan with your authenticator app' })).toBeVisible();
    const key = (await page.getByLabel('Key to type in').textContent())!;
    await page.getByLabel('Code from your app').fill(authenticatorCode(key));
    await page.getByRole('button', { name: 'Turn on and sign in' }).click();
    await recoveryCodes(page);
    await page.getByRole('link', { name: 'Continue to Meridian' }).click();
    await expect(page).toHaveURL('/kb');
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();

    // The owner resets it (a lost phone): the reviewer's session ends.
    await owner.reload();
    await hydrated(owner);
    await owner.getByRole('button', { name: 'Reset two-factor sign-in for Noor Haddad' }).click();
    await expect(owner.getByRole('status').filter({ hasText: 'Two-factor sign-in of Noor Haddad' })).toBeVisible();
    await page.goto('/kb');
    await expect(page).toHaveURL('/sign-in');
    await page.context().close();
  } finally {
    await owner.goto('/admin');
    await hydrated(owner);
    await save(false, 'Two-factor sign-in is now required for nobody.');
  }
  await owner.context().close();
});
