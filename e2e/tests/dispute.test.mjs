// Journey 2: a signed-in buyer pays with balance, opens a dispute and writes
// a message; the merchant answers and replaces the key through the API; the
// buyer follows the dispute, sees the new key and confirms — in zh-CN and en.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANGS, check, open } from '../lib/browser.mjs';
import { shopAndBrowser } from '../lib/suite.mjs';
import { signIn } from '../lib/journeys.mjs';
import { MERCHANT, apiClient } from '../lib/shop.mjs';

const ctx = shopAndBrowser();

const BUYER = { 'zh-CN': 'carol', en: 'bob' };

for (const lang of LANGS) {
  test(`a buyer pays with balance, disputes, gets a new key and confirms (${lang})`, async () => {
    const { page } = await open(ctx.browser, ctx.shop.base, lang);
    await signIn(page, ctx.shop.base, lang, BUYER[lang]);
    await page.goto(ctx.shop.base + '/products/1');
    await check(page, lang, 'product-signed-in');
    await page.locator('input[name=method][value=balance]').check();
    await page.locator('form[action="/checkout"] button[type=submit]').click();
    await page.waitForURL(/\/orders\/\d+$/);
    const order = page.url().match(/\/orders\/(\d+)$/)[1];
    const first = (await page.locator('.keys code').first().innerText()).trim();
    await check(page, lang, 'order-paid');

    await page.fill('#reason', 'The key says it was used already.');
    await page.locator(`form[action="/orders/${order}/dispute"] button[type=submit]`).click();
    await page.locator('#dispute-open').waitFor();
    await check(page, lang, 'order-disputed');

    // The buyer writes in the dispute; the merchant answers through the API.
    await page.fill('#message', 'Bought an hour ago, never redeemed.');
    await page.locator(`form[action="/orders/${order}/messages"] button[type=submit]`).click();
    await page.waitForURL(new RegExp(`/orders/${order}$`));
    const timeline = page.locator('#dispute-timeline');
    assert.ok((await timeline.innerText()).includes('Bought an hour ago, never redeemed.'));
    const merchant = await apiClient(ctx.shop.base, MERCHANT.login, MERCHANT.password);
    await merchant('POST', `/api/v1/orders/${order}/dispute/messages`, { text: 'Sending a new key now.' });
    await page.reload();
    assert.ok((await timeline.innerText()).includes('Sending a new key now.'), 'the buyer follows the dispute');
    await check(page, lang, 'order-dispute-messages');

    await merchant('POST', `/api/v1/orders/${order}/dispute/replace-keys`);

    await page.reload();
    const second = (await page.locator('.keys code').first().innerText()).trim();
    assert.notEqual(second, first, 'the buyer sees the new key');
    await check(page, lang, 'order-replaced');
    await page.locator(`form[action="/orders/${order}/confirm"] button[type=submit]`).click();
    await page.waitForURL(new RegExp(`/orders/${order}$`));
    assert.equal(await page.locator('form[action$="/confirm"]').count(), 0);
    await check(page, lang, 'order-confirmed');

    await page.goto(ctx.shop.base + '/account/orders');
    await check(page, lang, 'my-orders');
    assert.ok(await page.locator(`a[href="/orders/${order}"]`).count() === 1);
  });
}
