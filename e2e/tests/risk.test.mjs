// Issue 18 in the browser: the demo's admin saves a rule on the risk desk's
// rules page that holds wallet payments; a buyer's checkout is paid but shows
// no key, only that it is being checked; the admin finds it in the review
// queue, claims it and approves it (zh-CN: the buyer's page then shows the
// key) or declines it (en: the order is refunded to the wallet).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, open } from '../lib/browser.mjs';
import { signIn, signInStaff } from '../lib/journeys.mjs';
import { ADMIN } from '../lib/shop.mjs';
import { shopAndBrowser } from '../lib/suite.mjs';

const ctx = shopAndBrowser();
const BUYER = { 'zh-CN': 'carol', en: 'bob' };

for (const lang of ['zh-CN', 'en']) {
  const approve = lang === 'zh-CN';
  test(`a rule saved on the desk holds a checkout until the queue ${approve ? 'approves' : 'declines'} it (${lang})`, async () => {
    const shop = ctx.shop;
    const admin = await open(ctx.browser, shop.base, lang);
    await signInStaff(admin.page, shop, lang, ADMIN.login, ADMIN.password, approve ? 0 : 30_000);
    await admin.page.goto(shop.base + '/admin/risk/rules');
    await admin.page.fill('#rule-name', 'hold_wallet_payments');
    await admin.page.fill('#rule-expr', 'amount >= 1');
    await admin.page.selectOption('#rule-outcome', 'hold');
    await admin.page.fill('#rule-points', 'wallet_payment');
    await admin.page.fill('#rule-reason', 'checked_by_hand');
    await admin.page.locator('#rule-form button[value=save]').click();
    await admin.page.locator('#form-done').waitFor();
    assert.ok(await admin.page.locator('#rule-hold_wallet_payments').count() === 1);
    await check(admin.page, lang, 'risk-rule-saved');

    const buyer = await open(ctx.browser, shop.base, lang);
    await signIn(buyer.page, shop.base, lang, BUYER[lang]);
    await buyer.page.goto(shop.base + '/products/1');
    await buyer.page.locator('input[name=method][value=balance]').check();
    await buyer.page.locator('form[action="/checkout"] button[type=submit]').click();
    await buyer.page.waitForURL(/\/orders\/\d+$/);
    const order = buyer.page.url().match(/\/orders\/(\d+)$/)[1];
    await buyer.page.locator('#order-held').waitFor();
    assert.equal(await buyer.page.locator('.keys code').count(), 0, 'nothing is delivered while held');
    await check(buyer.page, lang, 'risk-order-held');

    await admin.page.goto(shop.base + '/admin/risk');
    const row = admin.page.locator('tr[id^=review-]', {
      has: admin.page.locator(`a[href="/orders/${order}"]`),
    });
    assert.equal(await row.getAttribute('data-status'), 'open');
    await check(admin.page, lang, 'risk-queue');
    await row.locator('form[action$="/claim"] button').click();
    await admin.page.waitForURL(/\/admin\/risk#review-\d+$/);
    assert.equal(await row.getAttribute('data-status'), 'claimed');
    await row.locator('input[name=note]').fill(approve ? 'Known buyer, usual amount.' : 'Card reported stolen.');
    await row.locator(`button[value=${approve ? 'approve' : 'decline'}]`).click();
    await admin.page.locator('#form-done').waitFor();
    assert.equal(await row.count(), 0, 'the decided review leaves the open queue');
    await admin.page.goto(shop.base + '/admin/risk?status=all');
    assert.equal(await row.getAttribute('data-status'), approve ? 'approved' : 'declined');
    await check(admin.page, lang, 'risk-queue-decided');

    await buyer.page.reload();
    assert.equal(await buyer.page.locator('#order-held').count(), 0);
    if (approve) {
      assert.ok(await buyer.page.locator('.keys code').count() >= 1, 'approved: the key is delivered');
    } else {
      assert.equal(await buyer.page.locator('.keys code').count(), 0);
      assert.equal((await buyer.page.locator('#order-status').innerText()).trim(), 'Refunded');
    }
    await check(buyer.page, lang, approve ? 'risk-order-approved' : 'risk-order-declined');
    await admin.context.close();
    await buyer.context.close();
  });
}
