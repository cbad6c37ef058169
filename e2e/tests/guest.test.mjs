// Journey 1: on a phone, a guest buys a key through the sandbox channel,
// sees and copies it, finds the order again by number + secret, and is
// refused with a wrong secret — in zh-CN and in en.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANGS, check, open } from '../lib/browser.mjs';
import { shopAndBrowser } from '../lib/suite.mjs';

const ctx = shopAndBrowser();

for (const lang of LANGS) {
  test(`a guest buys a key through the sandbox, copies it and finds the order again (${lang})`, async () => {
    const secret = `guest-secret-${lang}`;
    const { context, page } = await open(ctx.browser, ctx.shop.base, lang, { phone: true });

    await page.goto(ctx.shop.base + '/');
    await check(page, lang, 'store');
    await page.locator('.product a').first().click();
    await check(page, lang, 'product');

    await page.fill('#lookup_secret', secret);
    await page.locator('input[name=method][value=alipay]').check();
    await page.locator('form[action="/checkout"] button[type=submit]').click();

    // The pay page sends the browser on to the sandbox gateway.
    await page.waitForURL(/\/sandbox\/checkout\//, { timeout: 15_000 });
    await page.getByRole('button', { name: 'Pay' }).click();

    // Back at the shop: the order page, its key once the notification lands.
    await page.waitForURL(/\/orders\/\d+$/, { timeout: 15_000 });
    const order = page.url().match(/\/orders\/(\d+)$/)[1];
    const key = page.locator('.keys code').first();
    await key.waitFor({ timeout: 15_000 });
    const keyText = (await key.innerText()).trim();
    assert.ok(keyText.length > 0, 'the key is shown');
    await check(page, lang, 'order-guest');

    await page.locator('.keys [data-copy]').first().click();
    await page.locator('.copied').filter({ hasText: /./ }).waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, keyText, 'the copy button copies the key');
    await context.close();

    // A fresh browser finds the order by number + secret…
    const again = await open(ctx.browser, ctx.shop.base, lang, { phone: true });
    await again.page.goto(ctx.shop.base + '/lookup');
    await check(again.page, lang, 'lookup');
    await again.page.fill('#order', order);
    await again.page.fill('#lookup_secret', 'not-the-secret');
    await again.page.locator('form[action="/lookup"] button[type=submit]').click();
    // …is refused with a wrong one, what was typed kept…
    await again.page.locator('#form-error').waitFor();
    assert.equal(await again.page.inputValue('#order'), order);
    assert.equal(await again.page.locator('.keys').count(), 0, 'no key shown for a wrong secret');
    assert.ok(!(await again.page.content()).includes(keyText), 'the key is not in the refusal');
    await check(again.page, lang, 'lookup-refused', { status: 404 });
    // …and shown it with the right one.
    await again.page.fill('#lookup_secret', secret);
    await again.page.locator('form[action="/lookup"] button[type=submit]').click();
    await again.page.waitForURL(new RegExp(`/orders/${order}$`));
    assert.equal((await again.page.locator('.keys code').first().innerText()).trim(), keyText);
    await check(again.page, lang, 'lookup-found');
    await again.context.close();
  });
}
