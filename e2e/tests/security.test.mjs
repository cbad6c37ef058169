// Journey 5: a product titled <script>alert(1)</script> shows as text, and a
// form posted without its CSRF token is refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, open } from '../lib/browser.mjs';
import { shopAndBrowser } from '../lib/suite.mjs';
import { MERCHANT, apiClient } from '../lib/shop.mjs';

const ctx = shopAndBrowser();

const TITLE = '<script>alert(1)</script>';

test('a product titled with a script tag shows as text and runs nothing', async () => {
  const merchant = await apiClient(ctx.shop.base, MERCHANT.login, MERCHANT.password);
  const { id } = await merchant('POST', '/api/v1/merchant/products', {
    title: TITLE, currency: 'CNY', price: 100,
  });
  await merchant('POST', `/api/v1/merchant/products/${id}/keys`, { text: 'XSS-KEY-1\nXSS-KEY-2' });

  for (const lang of ['zh-CN', 'en']) {
    const { context, page } = await open(ctx.browser, ctx.shop.base, lang);
    let dialogs = 0;
    page.on('dialog', async (d) => { dialogs += 1; await d.dismiss(); });
    await page.goto(ctx.shop.base + '/');
    await assert.doesNotReject(page.getByText(TITLE, { exact: true }).first().waitFor());
    await page.goto(`${ctx.shop.base}/products/${id}`);
    assert.equal(await page.locator('h1').innerText(), TITLE);
    assert.equal(await page.locator('main script').count(), 0, 'no script element made from the title');
    assert.equal(dialogs, 0, 'no alert ran');
    await check(page, lang, 'product-script-title');
    await context.close();
  }
});

test('a form posted without its CSRF token is refused', async () => {
  for (const lang of ['zh-CN', 'en']) {
    const { context, page } = await open(ctx.browser, ctx.shop.base, lang);
    await page.goto(ctx.shop.base + '/lookup');
    // Take the token out of the real form, then send it.
    await page.evaluate(() => document.querySelector('input[name=csrf]').remove());
    await page.fill('#order', '1');
    await page.fill('#lookup_secret', 'whatever-secret');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/lookup') && r.request().method() === 'POST'),
      page.locator('form[action="/lookup"] button[type=submit]').click(),
    ]);
    assert.equal(response.status(), 403);
    await page.waitForLoadState('load');
    assert.equal(await page.locator('.keys').count(), 0);
    await check(page, lang, 'csrf-refused', { status: 403 });

    // A token from another browser is refused too.
    const other = await open(ctx.browser, ctx.shop.base, lang);
    await other.page.goto(ctx.shop.base + '/lookup');
    const foreign = await other.page.inputValue('input[name=csrf]');
    const cookies = await context.cookies(ctx.shop.base);
    const status = await page.evaluate(async (token) => {
      const r = await fetch('/lookup', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `csrf=${token}&order=1&lookup_secret=whatever-secret`,
      });
      return r.status;
    }, foreign);
    assert.equal(status, 403, `a foreign token is refused (cookies: ${cookies.length})`);
    await other.context.close();
    await context.close();
  }
});
