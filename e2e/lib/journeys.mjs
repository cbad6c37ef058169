// Steps the journeys share.
import { BUYER_PASSWORD } from './shop.mjs';
import { check } from './browser.mjs';
import { totp } from './totp.mjs';

// Signs `login` in through the sign-in page.
export async function signIn(page, base, lang, login, password = BUYER_PASSWORD) {
  await page.goto(base + '/signin');
  await check(page, lang, 'signin');
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.locator('form[action="/signin"] button[type=submit]').click();
  await page.waitForURL(base + '/');
}

// Signs a member of staff in: the password, then the TOTP code the sign-in
// page asks for next (`offset` ms ahead, so two sign-ins of one user in a
// run use two steps).
export async function signInStaff(page, shop, lang, who, password, offset = 0) {
  await page.goto(shop.base + '/signin');
  await page.fill('#login', who);
  await page.fill('#password', password);
  await page.locator('form[action="/signin"] button[type=submit]').click();
  await page.locator('#totp').waitFor();
  await page.fill('#password', password);
  await page.fill('#totp', totp(shop.totpSecret(who), Date.now() + offset));
  await page.locator('form[action="/signin"] button[type=submit]').click();
  await page.waitForURL(shop.base + '/');
  // The page asking for the code answered 401, as it should.
  page.problems = page.problems.filter((p) => !p.includes('status of 401'));
}

// Enrols the signed-in buyer's TOTP and adds a destination; the secret.
export async function enrolAndAddDestination(page, base) {
  await page.goto(base + '/account/security');
  await page.fill('#password', BUYER_PASSWORD);
  await page.locator('form[action="/account/security"] button[type=submit]').click();
  const secret = (await page.locator('#totp-secret').innerText()).trim();
  await page.goto(base + '/withdrawals');
  await page.fill('#label', 'Salary card');
  await page.fill('#account', '6222 0200 1234 5678');
  await page.locator('form[action="/destinations"] button[type=submit]').click();
  await page.waitForURL(base + '/withdrawals');
  return secret;
}
