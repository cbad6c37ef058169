// The merchant console (issue 17, first part): a merchant uploads a CSV of
// keys with duplicates and a bad line, sees the report, and the storefront
// shows the new stock — in zh-CN and en.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANGS, check, open } from '../lib/browser.mjs';
import { signIn } from '../lib/journeys.mjs';
import { MERCHANT } from '../lib/shop.mjs';
import { shopAndBrowser } from '../lib/suite.mjs';

const ctx = shopAndBrowser();

async function stockOf(base, id) {
  const r = await fetch(`${base}/api/v1/products`);
  const { products } = await r.json();
  return products.find((p) => p.id === id).stock;
}

for (const lang of LANGS) {
  test(`a merchant uploads a CSV of keys and the storefront shows the new stock (${lang})`, async () => {
    const { page } = await open(ctx.browser, ctx.shop.base, lang);
    await signIn(page, ctx.shop.base, lang, MERCHANT.login, MERCHANT.password);
    await page.goto(ctx.shop.base + '/merchant/products');
    await check(page, lang, 'console-products');
    await page.locator('#product-2 a').click();
    await page.waitForURL(/\/merchant\/products\/2$/);
    await check(page, lang, 'console-product');
    const before = await stockOf(ctx.shop.base, 2);

    const tag = lang === 'en' ? 'EN' : 'ZH';
    const csv = [
      `AV-${tag}-0001,first`,
      `AV-${tag}-0002,second`,
      `AV-${tag}-0001,again`,
      ',no key here',
      `AV-${tag}-0003,third`,
    ].join('\r\n');
    await page.setInputFiles('#file', {
      name: 'keys.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('\uFEFF' + csv, 'utf8'),
    });
    await page.check('input[name=csv]');
    await page.locator('form[action$="/keys"] button[type=submit]').click();
    const report = page.locator('#import-report');
    await report.waitFor({ timeout: 15_000 });
    const text = await report.innerText();
    const added = await page.locator('#import-added').getAttribute('data-count');
    assert.equal(added, '3', text);
    assert.equal(await page.locator('#import-duplicates').getAttribute('data-count'), '1', text);
    assert.equal(await page.locator('.invalid-lines li').count(), 1, text);
    assert.ok(text.includes('4'), `the line without a key is reported by its number: ${text}`);
    await check(page, lang, 'console-import-report');

    assert.equal(await stockOf(ctx.shop.base, 2), before + 3, 'the storefront shows the new stock');
    await page.goto(ctx.shop.base + '/products/2');
    assert.ok((await page.locator('.stock').first().innerText()).includes(String(before + 3)));
  });
}
