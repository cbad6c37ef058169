// Issue 19 in the browser: the demo merchant's owner and a buyer sign in on
// one device (the browser's device cookie); an admin bans the merchant from
// the merchants page; the risk desk lists one ring case with the shared
// device as evidence, and the analyst releases the buyer from the case page
// with a note — axe on every page, in both languages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, open } from '../lib/browser.mjs';
import { signIn, signInStaff } from '../lib/journeys.mjs';
import { ADMIN, MERCHANT } from '../lib/shop.mjs';
import { shopAndBrowser } from '../lib/suite.mjs';

const ctx = shopAndBrowser();

test('a banned merchant\'s ring is one case, decided member by member', async () => {
  const shop = ctx.shop;
  const phone = await open(ctx.browser, shop.base, 'zh-CN');
  await signIn(phone.page, shop.base, 'zh-CN', MERCHANT.login, MERCHANT.password);
  await signIn(phone.page, shop.base, 'zh-CN', 'alice');

  const admin = await open(ctx.browser, shop.base, 'zh-CN');
  await signInStaff(admin.page, shop, 'zh-CN', ADMIN.login, ADMIN.password);
  admin.page.on('dialog', (d) => d.accept());
  await admin.page.goto(shop.base + '/admin/merchants');
  await admin.page.locator('#merchant-1 form:has(input[name=status][value=banned]) button').click();
  await admin.page.waitForLoadState('load');
  await admin.page.goto(shop.base + '/admin/merchants');
  assert.equal(await admin.page.locator('#merchant-1').getAttribute('data-status'), 'banned');

  await admin.page.goto(shop.base + '/admin/risk');
  await admin.page.locator('#case-1').waitFor();
  await check(admin.page, 'zh-CN', 'ring-queue');
  await admin.page.locator('#case-1 a').click();
  await admin.page.waitForURL(/\/admin\/risk\/cases\/1$/);
  await check(admin.page, 'zh-CN', 'ring-case');
  const members = admin.page.locator('section.case-member');
  assert.equal(await members.count(), 2, 'the owner and the buyer');
  const buyer = members.nth(1);
  assert.ok((await buyer.innerText()).includes('device'), 'the shared device is the evidence');
  await buyer.locator('input[name=note]').fill('买家，与商户无关');
  await buyer.locator('button[value=release]').click();
  await admin.page.locator('#form-done').waitFor();
  assert.ok((await members.nth(1).locator('.member-state').innerText()).includes('已放行'));
  await check(admin.page, 'zh-CN', 'ring-case-decided');

  const en = await open(ctx.browser, shop.base, 'en');
  await signInStaff(en.page, shop, 'en', ADMIN.login, ADMIN.password, 30_000);
  await en.page.goto(shop.base + '/admin/risk/cases');
  assert.equal(await en.page.locator('#case-1').count(), 1);
  await check(en.page, 'en', 'ring-cases');
  await en.page.goto(shop.base + '/admin/risk/cases/1');
  assert.ok((await en.page.locator('#case-status').innerText()).includes('Open'), 'the owner still waits');
  await check(en.page, 'en', 'ring-case');
});
