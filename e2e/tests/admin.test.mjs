// The admin console (issue 17, first part): an admin signs in with TOTP,
// freezes a merchant and the storefront stops selling its products; makes
// it active again and sales resume — in zh-CN and en.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANGS, check, open } from '../lib/browser.mjs';
import { ADMIN } from '../lib/shop.mjs';
import { shopAndBrowser } from '../lib/suite.mjs';
import { totp } from '../lib/totp.mjs';

const ctx = shopAndBrowser();

async function onSale(base) {
  const r = await fetch(`${base}/api/v1/products`);
  return (await r.json()).products.map((p) => p.title);
}

for (const lang of LANGS) {
  test(`an admin freezes a merchant and its products leave the storefront until made active (${lang})`, async () => {
    const { page } = await open(ctx.browser, ctx.shop.base, lang);
    page.on('dialog', (d) => d.accept());
    await page.goto(ctx.shop.base + '/signin');
    await page.fill('#login', ADMIN.login);
    await page.fill('#password', ADMIN.password);
    await page.locator('form[action="/signin"] button[type=submit]').click();
    // The second factor is asked for, then taken.
    await page.locator('#totp').waitFor();
    await check(page, lang, 'admin-signin-totp', { status: 401 });
    await page.fill('#password', ADMIN.password);
    // A fresh step each run: a code is taken once.
    const step = lang === 'en' ? 30_000 : 0;
    await page.fill('#totp', totp(ctx.shop.totpSecret('admin'), Date.now() + step));
    await page.locator('form[action="/signin"] button[type=submit]').click();
    await page.waitForURL(ctx.shop.base + '/');

    await page.goto(ctx.shop.base + '/admin/merchants');
    await check(page, lang, 'admin-merchants');
    assert.ok((await onSale(ctx.shop.base)).includes('Game activation key'));
    await page.locator('#merchant-1 form:has(input[value=frozen]) button').click();
    await page.locator('#merchant-1[data-status=frozen]').waitFor();
    const frozen = await onSale(ctx.shop.base);
    assert.ok(!frozen.includes('Game activation key'), `frozen: ${frozen}`);
    await page.goto(ctx.shop.base + '/');
    assert.equal(await page.getByText('Game activation key').count(), 0, 'the storefront stops selling it');
    await check(page, lang, 'store-merchant-frozen');

    await page.goto(ctx.shop.base + '/admin/merchants');
    await page.locator('#merchant-1 form:has(input[value=active]) button').click();
    await page.locator('#merchant-1[data-status=active]').waitFor();
    assert.ok((await onSale(ctx.shop.base)).includes('Game activation key'), 'sales resume');
    await check(page, lang, 'admin-merchants-active');

    // The console's other pages, in this language too.
    for (const [path, name] of [
      ['/admin/custody', 'admin-custody'],
      ['/admin/audit?q=merchant', 'admin-audit'],
      ['/admin/withdrawals', 'admin-withdrawals-list'],
      ['/staff/outbox', 'staff-outbox'],
    ]) {
      await page.goto(ctx.shop.base + path);
      await check(page, lang, name);
    }
    assert.ok((await page.goto(ctx.shop.base + '/admin/audit?q=merchant')).ok());
    assert.ok((await page.locator('#audit').innerText()).toLowerCase().includes('merchant'));
  });
}
