import { test, expect, APIRequestContext } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { hydrated, MAILDIR, newestMailTo, signedInPage, watchForErrors } from './helpers';

let errors: string[] = [];
test.beforeEach(() => { errors = []; });
test.afterEach(() => { expect(errors, 'errors in the browser').toEqual([]); });

const FIRST = process.env.E2E_BASE_URL ?? 'http://127.0.0.1:3100';

/** What a shop's server computes for its signed-in customer (the README's recipe). */
function identity(secret: string, email: string): string {
  const t = Math.floor(Date.now() / 1000) + 3600;
  const v1 = createHmac('sha256', secret).update(`${t}.${email.toLowerCase()}`).digest('hex');
  return `t=${t},v1=${v1}`;
}

// A shop embeds the chat for its signed-in customer, vouching for her address with the
// chat's secret (copied from Admin → Channels): her chat joins her history at once.
// Then someone else types her address on the chat page: the agent sees an unverified new
// contact and none of her history, until the link e-mailed to the address is confirmed.
test('a signed identity joins the history; a typed address waits for its e-mail link', async ({ browser }) => {
  expect(MAILDIR, 'E2E_MAILDIR from scripts/test.sh').not.toBe('');
  const n = Date.now();
  const email = `cleo.${n}@example.com`;

  const owner = await signedInPage(browser, 'owner@meridian.test', errors);
  await owner.goto('/admin/channels');
  await hydrated(owner);
  const card = owner.getByRole('article', { name: 'Website chat' });
  const secret = (await card.locator('p', { hasText: 'Identity secret:' }).locator('code').textContent())!.trim();
  expect(secret).toMatch(/^[0-9a-f]{64}$/);

  // The shop's page (served by the test at Meridian's address, so the frame keeps its cookie
  // over plain HTTP) carries the embed script with the signed-in customer's identity.
  const shopContext = await browser.newContext({ baseURL: FIRST });
  const shop = await shopContext.newPage();
  watchForErrors(shop, errors);
  await shop.route(`${FIRST}/e2e-shop`, (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!DOCTYPE html><html lang="en"><head><title>Shop</title></head><body><h1>Your orders</h1>
      <script src="${FIRST}/chat/website/embed.js" data-name="Cleo Ortiz" data-email="${email}" data-identity="${identity(secret, email)}"></script></body></html>`,
  }));
  await shop.goto('/e2e-shop');
  await shop.getByRole('button', { name: 'Chat with Website chat' }).click();
  const chat = shop.frameLocator('iframe[title="Chat with Website chat"]');
  await expect(chat.getByText('Signed in on our site as this address.')).toBeVisible();
  await expect(chat.getByLabel('Your e-mail')).toHaveValue(email);
  await expect(chat.getByLabel('Your name')).toHaveValue('Cleo Ortiz');
  const first = `Order ${n}: the blender arrived broken`;
  await chat.getByLabel('How can we help?').fill(first);
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await expect(chat.getByRole('list', { name: 'Conversation' }).getByText(first)).toBeVisible();
  await expect(chat.getByText('We e-mailed a link')).toHaveCount(0);

  const agent = await signedInPage(browser, 'agent@meridian.test', errors);
  await agent.goto('/queue?view=unassigned&sort=newest');
  await hydrated(agent);
  await agent.getByRole('link', { name: first }).click();
  await hydrated(agent);
  const customer = agent.getByRole('complementary', { name: 'Customer' });
  await expect(customer.getByText(email)).toBeVisible();
  await expect(customer.getByText('Unverified')).toHaveCount(0);

  // Someone else types her address on the plain chat page.
  const otherContext = await browser.newContext({ baseURL: FIRST });
  const other = await otherContext.newPage();
  watchForErrors(other, errors);
  await other.goto('/chat/website');
  await other.getByLabel('Your name').fill('Cleo Ortiz');
  await other.getByLabel('Your e-mail').fill(email);
  const second = `Order ${n}: send the refund to my new card`;
  await other.getByLabel('How can we help?').fill(second);
  await other.getByRole('button', { name: 'Start chat' }).click();
  await expect(other.getByRole('status')).toContainText(`We e-mailed a link to ${email}`);

  await agent.goto('/queue?view=unassigned&sort=newest');
  await hydrated(agent);
  await agent.getByRole('link', { name: second }).click();
  await hydrated(agent);
  await expect(customer.getByRole('note')).toContainText(`Unverified: says they are ${email}`);
  await expect(customer.getByRole('link', { name: first })).toHaveCount(0);

  // The link in the e-mail (to the address, so only its owner reads it) asks, then joins.
  const mail = await newestMailTo(email, 'Confirm your e-mail for your chat with Website chat');
  const link = mail.match(/https?:\/\/\S+\/chat\/website\/confirm\/[A-Za-z0-9_-]+/)![0];
  await other.goto(link);
  await expect(other.getByRole('heading', { name: 'Confirm your e-mail' })).toBeVisible();
  await other.getByRole('button', { name: 'Confirm my e-mail' }).click();
  await expect(other.getByRole('status')).toContainText('Your e-mail is confirmed');
  await other.getByRole('link', { name: 'Back to the chat' }).click();
  await expect(other.getByRole('list', { name: 'Conversation' }).getByText(second)).toBeVisible();
  await expect(other.getByText('We e-mailed a link')).toHaveCount(0);

  await agent.reload();
  await hydrated(agent);
  await expect(customer.getByRole('note')).toHaveCount(0);
  await expect(customer.getByText(email)).toBeVisible();
  await expect(customer.getByRole('link', { name: first })).toBeVisible();
  await shopContext.close();
  await otherContext.close();
});

/** Delivers a raw e-mail to the demo's support inbox as a mail relay does (signed). */
async function deliver(request: APIRequestContext, secret: string, raw: string) {
  const res = await request.post(`${FIRST}/api/v1/channels/email/inbound?inbox=support%40meridian.test`, {
    headers: { 'content-type': 'message/rfc822', 'x-meridian-signature': `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}` },
    data: raw,
  });
  expect(res.status(), await res.text()).toBe(201);
}

// A stranger answers a customer's e-mail thread (In-Reply-To): the agent finds it apart,
// "from another sender", with its address on the message, and accepts it into the
// customer's dialogue, where it then shows who wrote it.
test('a threaded reply from another sender is held apart until an agent accepts it', async ({ browser, request }) => {
  const n = Date.now();
  const owner = await signedInPage(browser, 'owner@meridian.test', errors);
  await owner.goto('/admin/channels');
  await hydrated(owner);
  const card = owner.getByRole('article', { name: 'Support e-mail' });
  const secret = (await card.locator('p', { hasText: 'Signing secret:' }).locator('code').textContent())!.trim();

  const subject = `Refund for order ${n}`;
  await deliver(request, secret, `From: Cleo Ortiz <cleo.${n}@example.com>\r\nTo: support@meridian.test\r\nSubject: ${subject}\r\n`
    + `Message-ID: <first.${n}@example.com>\r\n\r\nThe blender arrived broken.\r\n`);
  const stranger = `mallory.${n}@example.net`;
  await deliver(request, secret, `From: ${stranger}\r\nTo: support@meridian.test\r\nSubject: Re: ${subject}\r\n`
    + `Message-ID: <m.${n}@example.net>\r\nIn-Reply-To: <first.${n}@example.com>\r\nReferences: <first.${n}@example.com>\r\n\r\n`
    + `Please send the refund ${n} to my account instead.\r\n`);

  const agent = await signedInPage(browser, 'agent@meridian.test', errors);
  await agent.goto("/queue?view=unassigned&sort=newest");
  await hydrated(agent);
  await agent.getByRole('link', { name: `Re: ${subject}` }).click();
  await hydrated(agent);
  const apart = agent.getByRole('region', { name: 'From another sender' });
  await expect(apart).toContainText(`answers dialogue`);
  await expect(apart).toContainText('whose customer is Cleo Ortiz');
  await expect(agent.getByText(`Customer · ${stranger}`)).toBeVisible();
  await apart.getByRole('button', { name: /Accept into dialogue #\d+/ }).click();
  await expect(agent.getByRole('heading', { level: 1, name: subject })).toBeVisible();
  await expect(agent.getByText(`Please send the refund ${n} to my account instead.`)).toBeVisible();
  await expect(agent.getByText(`Customer · ${stranger}`)).toBeVisible();
  await expect(agent.getByText(`Customer · cleo.${n}@example.com`)).toBeVisible();
  await expect(agent.getByRole('region', { name: 'From another sender' })).toHaveCount(0);
});
