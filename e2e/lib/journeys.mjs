// Steps the journeys share.
import { BUYER_PASSWORD } from './shop.mjs';
import { check } from './browser.mjs';

// Signs `login` in through the sign-in page.
export async function signIn(page, base, lang, login, password = BUYER_PASSWORD) {
  await page.goto(base + '/signin');
  await check(page, lang, 'signin');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.locator('form[action="/signin"] button[type=submit]').click();
  await page.waitForURL(base + '/');
}
