// Issue 17, must show 2: a large withdrawal needs two members of finance
// (the same one cannot approve twice), then its payout is recorded and the
// buyer's page shows it paid out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, open } from '../lib/browser.mjs';
import { enrolAndAddDestination, signIn, signInStaff } from '../lib/journeys.mjs';
import { ADMIN } from '../lib/shop.mjs';
import { shopAndBrowser } from '../lib/suite.mjs';
import { totp } from '../lib/totp.mjs';

const ctx = shopAndBrowser();
const FINANCE = { login: 'finance', password: 'demo-finance-password' };

for (const lang of ['zh-CN', 'en']) {
  test(`two approvers pass a large withdrawal and its payout shows on the buyer's page (${lang})`, async () => {
    const shop = ctx.shop;
    // alice asks for ¥2.50 of her ¥2.97 commission in zh-CN; in en what
    // is left is too little, so the en run reads the withdrawal zh-CN made.
    const buyer = await open(ctx.browser, shop.base, lang);
    await signIn(buyer.page, shop.base, lang, 'alice');
    if (lang === 'zh-CN') {
      const secret = await enrolAndAddDestination(buyer.page, shop.base);
      await buyer.page.fill('#amount', '2.50');
      await buyer.page.fill('#totp', totp(secret));
      await buyer.page.locator('form[action="/withdrawals"] button[type=submit]').click();
      await buyer.page.waitForURL(/#withdrawal-\d+$/);
    }
    await buyer.page.goto(shop.base + '/withdrawals');
    const id = (await buyer.page.locator('tr[id^=withdrawal-]').first().getAttribute('id')).split('-')[1];

    const offset = lang === 'en' ? 30_000 : 0;
    const finance = await open(ctx.browser, shop.base, lang);
    finance.page.on('dialog', (d) => d.accept());
    await signInStaff(finance.page, shop, lang, FINANCE.login, FINANCE.password, offset);
    await finance.page.goto(shop.base + '/admin/withdrawals');
    await check(finance.page, lang, 'admin-withdrawals');
    const row = (page) => page.locator(`#withdrawal-${id}`);
    if (lang === 'zh-CN') {
      assert.equal(await row(finance.page).locator('.approvals').innerText(), '0/2');
      await row(finance.page).locator('form[action$="/approve"] button').click();
      await finance.page.waitForURL(/\/admin\/withdrawals/);
      assert.equal(await row(finance.page).locator('.approvals').innerText(), '1/2');
      // The same member of finance cannot approve twice.
      await row(finance.page).locator('form[action$="/approve"] button').click();
      await finance.page.locator('#form-error').waitFor();
      assert.equal(await row(finance.page).locator('.approvals').innerText(), '1/2');
      await check(finance.page, lang, 'admin-withdrawals-refused', { status: 403 });

      const admin = await open(ctx.browser, shop.base, lang);
      await signInStaff(admin.page, shop, lang, ADMIN.login, ADMIN.password, offset);
      await admin.page.goto(shop.base + '/admin/withdrawals');
      await row(admin.page).locator('form[action$="/approve"] button').click();
      await admin.page.waitForURL(/\/admin\/withdrawals/);
      assert.equal(await row(admin.page).getAttribute('data-status'), 'approved');
      await admin.context.close();
    }
    if (lang === 'en') {
      await row(finance.page).locator('input[name=reference]').fill('BANK-20261207-001');
      await row(finance.page).locator('form[action$="/paid"] button').click();
      await finance.page.waitForURL(/\/admin\/withdrawals/);
      assert.equal(await row(finance.page).getAttribute('data-status'), 'paid_out');
      await check(finance.page, lang, 'admin-withdrawal-paid');
      await buyer.page.goto(shop.base + '/withdrawals');
      const status = await buyer.page.locator(`#withdrawal-${id} .withdrawal-status`).innerText();
      assert.equal(status, 'Paid out', 'the buyer\'s page shows it paid out');
      await check(buyer.page, lang, 'withdrawals-paid-out');
    }
    await finance.context.close();
    await buyer.context.close();
  });
}
