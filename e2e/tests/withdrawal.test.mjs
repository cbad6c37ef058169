// Journey 3: a buyer enrols TOTP by its QR code, adds a destination and
// asks for a withdrawal of the commission they earned — in zh-CN and en.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LANGS, check, launch, open } from '../lib/browser.mjs';
import { signIn } from '../lib/journeys.mjs';
import { BUYER_PASSWORD, startShop } from '../lib/shop.mjs';
import { totp } from '../lib/totp.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const lang of LANGS) {
  test(`a buyer enrols TOTP by its QR code, adds a destination and withdraws (${lang})`, async () => {
    // A shop of its own: alice enrols her first factor in each.
    const shop = await startShop();
    try {
      const { page } = await open(browser, shop.base, lang);
      await signIn(page, shop.base, lang, 'alice');

      await page.goto(shop.base + '/wallet');
      await check(page, lang, 'wallet');
      const reward = await page.locator('#bucket-reward').innerText();
      assert.equal(reward, '¥2.97', 'alice earned 3% of bob\'s ¥99.00 key');

      await page.goto(shop.base + '/account/security');
      await check(page, lang, 'security');
      await page.fill('#password', BUYER_PASSWORD);
      await page.locator('form[action="/account/security"] button[type=submit]').click();
      const qr = page.locator('figure.qr svg[role=img]');
      await qr.waitFor();
      assert.ok((await qr.getAttribute('aria-label')).length > 0, 'the QR code is named');
      const secret = (await page.locator('#totp-secret').innerText()).trim();
      assert.match(secret, /^[A-Z2-7]{16,}$/);
      await check(page, lang, 'security-enrolled');

      await page.goto(shop.base + '/withdrawals');
      await check(page, lang, 'withdrawals');
      await page.fill('#label', 'Salary card');
      await page.fill('#account', '6222 0200 1234 5678');
      await page.locator('form[action="/destinations"] button[type=submit]').click();
      await page.waitForURL(shop.base + '/withdrawals');
      const listed = await page.locator('.destinations').innerText();
      assert.ok(listed.includes('Salary card') && listed.includes('5678'), listed);
      assert.ok(!listed.includes('6222 0200 1234'), 'the account is shown masked');

      await page.fill('#amount', '1.00');
      await page.fill('#totp', totp(secret));
      await page.locator('form[action="/withdrawals"] button[type=submit]').click();
      await page.waitForURL(/\/withdrawals#withdrawal-\d+$/);
      const row = page.locator('tr[id^=withdrawal-]').first();
      assert.ok((await row.innerText()).includes('¥1.00'));
      await check(page, lang, 'withdrawal-asked');
      await page.goto(shop.base + '/wallet');
      assert.equal(await page.locator('#bucket-reward').innerText(), '¥1.97', 'the amount is reserved');
    } finally {
      await shop.stop();
    }
  });
}
