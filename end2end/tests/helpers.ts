import { expect, Browser, Page } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PASSWORD = 'meridian-demo';

/** The demo users and the navigation each must see, in order (PRODUCT.md, "Who uses it"). */
export const DEMO_USERS = [
  { email: 'owner@meridian.test', name: 'Sofia Lindqvist', role: 'Owner', home: '/queue',
    nav: ['Queue', 'Knowledge base', 'QA', 'Schedule', 'Reports', 'Admin'] },
  { email: 'manager@meridian.test', name: 'Marcus Webb', role: 'Manager', home: '/queue',
    nav: ['Queue', 'Knowledge base', 'QA', 'Schedule', 'Reports'] },
  { email: 'qa@meridian.test', name: 'Priya Raman', role: 'QA reviewer', home: '/kb',
    nav: ['Knowledge base', 'QA', 'Schedule'] },
  { email: 'agent@meridian.test', name: 'Alex Novak', role: 'Agent', home: '/queue',
    nav: ['Queue', 'Knowledge base', 'QA', 'Schedule'] },
];

/** Waits until the WebAssembly has hydrated the page, so clicks are handled by the app. */
export async function hydrated(page: Page) {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/sign-in');
  await hydrated(page);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Collects what the browser reports as broken (uncaught exceptions, console errors such
 * as a hydration panic). HTTP error statuses the test provokes on purpose are not bugs.
 */
export function watchForErrors(page: Page, errors: string[] = []): string[] {
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  return errors;
}

/** A fresh browser context (optionally on another server), signed in as `email`; browser errors go to `errors`. */
export async function signedInPage(browser: Browser, email: string, errors: string[], baseURL?: string): Promise<Page> {
  const context = await browser.newContext(baseURL ? { baseURL } : {});
  const page = await context.newPage();
  watchForErrors(page, errors);
  await signIn(page, email);
  // Signing in navigates inside the app, so the page counts as hydrated already; the top
  // bar (and with it the keyboard shortcuts) appears once the user is loaded.
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  return page;
}

/**
 * An owner invites a colleague (with `role`, as Admin labels it) and the colleague chooses
 * `password` from the invitation link; the browser contexts used are closed again.
 */
export async function invitedColleague(browser: Browser, errors: string[], name: string, email: string, password: string, role?: string): Promise<void> {
  const owner = await signedInPage(browser, 'owner@meridian.test', errors);
  await owner.goto('/admin');
  await hydrated(owner);
  const invite = owner.getByRole('form', { name: 'Invite someone' });
  await invite.getByLabel('Name').fill(name);
  await invite.getByLabel('E-mail').fill(email);
  if (role) await invite.getByLabel('Role').selectOption({ label: role });
  await invite.getByRole('button', { name: 'Invite' }).click();
  const link = (await owner.locator('.invite-link').textContent())!;
  await owner.context().close();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);
  await page.getByLabel('Password (at least 12 characters)').fill(password);
  await page.getByLabel('The same password again').fill(password);
  await page.getByRole('button', { name: 'Set my password' }).click();
  await expect(page).toHaveURL('/sign-in');
  await context.close();
}

// scripts/test.sh runs a real SMTP server that writes what the servers send here.
export const MAILDIR = process.env.E2E_MAILDIR ?? '';

/** The newest e-mail to `to` in the test's SMTP maildir, as a mail reader shows its text. */
export async function newestMailTo(to: string, subject: string): Promise<string> {
  let found = '';
  await expect.poll(() => {
    const mails = ['new', 'cur'].flatMap((sub) => {
      try {
        return readdirSync(join(MAILDIR, sub)).map((f) => readFileSync(join(MAILDIR, sub, f), 'utf8'));
      } catch {
        return [];
      }
    });
    found = mails.filter((m) => m.includes(`To: ${to}`) && m.includes(`Subject: ${subject}`)).pop() ?? '';
    return found !== '';
  }, { message: `an e-mail to ${to}`, timeout: 20_000 }).toBe(true);
  // Quoted-printable, as the outbox's mailer writes plain text.
  return found.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}
