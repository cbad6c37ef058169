// Every console page, in both languages (issue 17, must show 5): the admin
// console as an admin signed in with TOTP, the merchant console as a
// merchant; each passes the checks every page passes — no missing message,
// no serious or critical axe-core violation, no script error or CSP
// refusal — and leaves a screenshot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANGS, check, open } from '../lib/browser.mjs';
import { signIn, signInStaff } from '../lib/journeys.mjs';
import { ADMIN, MERCHANT } from '../lib/shop.mjs';
import { shopAndBrowser } from '../lib/suite.mjs';

const ctx = shopAndBrowser();

export const ADMIN_PAGES = [
  ['/admin', 'tour-admin-dashboard'],
  ['/admin/orders', 'tour-admin-orders'],
  ['/admin/orders?status=disputed', 'tour-admin-disputes'],
  ['/admin/approvals', 'tour-admin-approvals'],
  ['/admin/withdrawals', 'tour-admin-withdrawals'],
  ['/admin/channels', 'tour-admin-channels'],
  ['/admin/users', 'tour-admin-users'],
  ['/admin/merchants', 'tour-admin-merchants'],
  ['/admin/custody', 'tour-admin-custody'],
  ['/admin/audit', 'tour-admin-audit'],
  ['/staff/outbox', 'tour-admin-outbox'],
  ['/admin/look', 'tour-admin-look'],
  ['/admin/risk?status=all', 'tour-admin-risk'],
  ['/admin/risk/decisions/1', 'tour-admin-risk-decision'],
  ['/admin/risk/rules', 'tour-admin-risk-rules'],
  ['/admin/risk/lists', 'tour-admin-risk-lists'],
  ['/admin/risk/cases', 'tour-admin-risk-cases'],
];

// The risk desk's own pages hang off its one link in the menu.
const NAV_LINKS = ADMIN_PAGES.filter(([path]) => !path.startsWith('/admin/risk/')).length;

export const MERCHANT_PAGES = [
  ['/merchant/products', 'tour-merchant-products'],
  ['/merchant/products/new', 'tour-merchant-new-product'],
  ['/merchant/products/1', 'tour-merchant-product'],
  ['/merchant/products/1/edit', 'tour-merchant-edit-product'],
  ['/merchant/orders', 'tour-merchant-orders'],
  ['/merchant/money', 'tour-merchant-money'],
  ['/merchant/api-keys', 'tour-merchant-api-keys'],
];

for (const [i, lang] of LANGS.entries()) {
  test(`every admin console page passes its checks (${lang})`, async () => {
    const { page, context } = await open(ctx.browser, ctx.shop.base, lang);
    await signInStaff(page, ctx.shop, lang, ADMIN.login, ADMIN.password, 30_000 * i);
    for (const [path, name] of ADMIN_PAGES) {
      const r = await page.goto(ctx.shop.base + path);
      assert.equal(r.status(), 200, `${path} (${lang})`);
      await check(page, lang, name);
      // Every page of the console carries its menu.
      assert.equal(await page.locator('nav.console-nav a').count(), NAV_LINKS, path);
    }
    await context.close();
  });

  test(`every merchant console page passes its checks (${lang})`, async () => {
    const { page, context } = await open(ctx.browser, ctx.shop.base, lang);
    await signIn(page, ctx.shop.base, lang, MERCHANT.login, MERCHANT.password);
    for (const [path, name] of MERCHANT_PAGES) {
      const r = await page.goto(ctx.shop.base + path);
      assert.equal(r.status(), 200, `${path} (${lang})`);
      await check(page, lang, name);
    }
    await context.close();
  });
}
