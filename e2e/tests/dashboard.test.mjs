// The admin dashboard (issue 17): its charts are drawn from the daily
// figures the shop recorded at each day's end. The demo lives through a
// month of sales on a clock that runs behind and catches up a day at a
// time, so the figures were recorded over 30 days with the clock moved.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LANGS, check, open } from '../lib/browser.mjs';
import { signInStaff } from '../lib/journeys.mjs';
import { ADMIN, apiClient } from '../lib/shop.mjs';
import { shopAndBrowser } from '../lib/suite.mjs';
import { totp } from '../lib/totp.mjs';

const ctx = shopAndBrowser();

// The recorded days, read through the API by finance.
async function recordedDays(shop) {
  const finance = await apiClient(shop.base, 'finance', 'demo-finance-password', {
    totp: totp(shop.totpSecret('finance'), Date.now()),
  });
  return finance('GET', '/api/v1/admin/dashboard');
}

test('the dashboard charts the days the shop recorded', async () => {
  const dashboard = await recordedDays(ctx.shop);
  assert.equal(dashboard.days.length, 30, 'a month of recorded days');
  const dates = dashboard.days.map((d) => d.date);
  assert.deepEqual([...dates].sort(), dates, 'oldest first');
  assert.equal(new Set(dates).size, 30, 'each day once');
  assert.ok(dashboard.days.every((d) => d.currencies[0].orders > 0));
  assert.ok(dashboard.days.every((d) => d.currencies[0].balances), 'each measured at its end');

  for (const [i, lang] of LANGS.entries()) {
    const { page } = await open(ctx.browser, ctx.shop.base, lang);
    await signInStaff(page, ctx.shop, lang, ADMIN.login, ADMIN.password, 30_000 * i);
    await page.goto(ctx.shop.base + '/admin');
    await check(page, lang, 'admin-dashboard');
    // One bar per recorded day, each titled with that day's figure.
    const bars = page.locator('#chart-orders rect.bar');
    assert.equal(await bars.count(), 30);
    for (const at of [0, 29]) {
      const day = dashboard.days[at];
      const title = await bars.nth(at).locator('title').textContent();
      assert.ok(title.startsWith(day.date), title);
      assert.ok(title.includes(String(day.currencies[0].orders)), title);
    }
    // The tallest bar is the busiest day.
    const heights = await bars.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
    const orders = dashboard.days.map((d) => d.currencies[0].orders);
    assert.equal(heights.indexOf(Math.max(...heights)), orders.indexOf(Math.max(...orders)));
    assert.equal(await page.locator('#chart-sales-CNY rect.bar').count(), 30);
    // Held against owed, and escrow, as lines of 30 points each.
    for (const [chart, series] of [['coverage', 's-held'], ['coverage', 's-owed'], ['escrow', 's-escrow']]) {
      assert.equal(await page.locator(`#chart-${chart}-CNY circle.${series}`).count(), 30, series);
    }
    // The same figures as a table, newest first.
    await page.locator('#figures-CNY summary').click();
    const rows = page.locator('#figures-CNY tbody tr');
    assert.equal(await rows.count(), 30);
    assert.ok((await rows.first().innerText()).startsWith(dashboard.days[29].date));
    // Today: the seeded sale of today is counted.
    const today = Number(await page.locator('#today-CNY .today-orders').getAttribute('data-count'));
    assert.equal(today, dashboard.today.currencies[0].orders);
    assert.ok(today >= 1);
    await page.context().close();
  }
});
