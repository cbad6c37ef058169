// The setup most browser tests share: one demo shop and one browser for
// the whole file, stopped after it.
import { after, before } from 'node:test';
import { launch } from './browser.mjs';
import { startShop } from './shop.mjs';

export function shopAndBrowser() {
  const ctx = {};
  before(async () => {
    ctx.shop = await startShop();
    ctx.browser = await launch();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.shop?.stop();
  });
  return ctx;
}
