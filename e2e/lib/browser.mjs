// Debian's chromium driven by playwright-core, headless, and the checks every
// page of a journey passes: no message missing in its language, no serious or
// critical accessibility violation (axe-core), no script error or CSP
// refusal, and a screenshot under e2e/screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const shots = path.join(here, '..', 'screenshots');
mkdirSync(shots, { recursive: true });

export const LANGS = ['zh-CN', 'en'];

export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36',
};

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

// A browser context speaking `lang`, on a phone if asked; every page it opens
// records its script errors and console errors (CSP refusals among them).
export async function open(browser, base, lang, { phone = false } = {}) {
  const context = await browser.newContext({
    ...(phone ? PHONE : { viewport: { width: 1280, height: 900 } }),
    locale: lang === 'en' ? 'en-US' : 'zh-CN',
  });
  await context.addCookies([{ name: 'lang', value: lang, url: base }]);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(`console: ${m.text()}`);
  });
  return { context, page };
}

// The checks every page of ours passes, and its screenshot.
// A page answered with an error status (`status`) logs that load as a
// console error; only that one is expected.
export async function check(page, lang, name, { status } = {}) {
  await page.waitForLoadState('load');
  assert.equal(await page.getAttribute('html', 'lang'), lang, `${name}: <html lang>`);
  const text = await page.innerText('body');
  assert.ok(!text.includes('[['), `${name} (${lang}) shows a missing message: ${text.match(/\[\[[^\]]*\]\]/)}`);
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `${name} (${lang}) has accessibility violations`);
  const expected = status ? `the server responded with a status of ${status}` : null;
  const problems = page.problems.filter((p) => !(expected && p.includes(expected)));
  page.problems = [];
  assert.deepEqual(problems, [], `${name} (${lang}) had script or console errors`);
  await page.screenshot({ path: path.join(shots, `${name}-${lang}.png`), fullPage: true });
}
