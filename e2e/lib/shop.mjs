// Starts the release binary's demo shop (seeded merchants, products with
// keys, buyers with balances, its own sandbox gateway) on a free port, and
// talks to its JSON API where a journey needs another party (a merchant).
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export const BUYER_PASSWORD = 'demo-buyer-password';
export const MERCHANT = { login: 'keyshop', password: 'demo-merchant-password' };
export const ADMIN = { login: 'admin', password: 'demo-admin-password' };

function binary() {
  if (process.env.TRIGATE_BIN) return process.env.TRIGATE_BIN;
  const target = process.env.CARGO_TARGET_DIR || path.join(here, '..', '..', 'target');
  return path.join(target, 'release', 'trigate');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startShop() {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(binary(), ['demo', '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the demo exited early:\n${output}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`the demo did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    output: () => output,
    // A staff member's TOTP secret, as the demo prints it.
    totpSecret(login) {
      const found = output.match(new RegExp(`${login}'s TOTP secret: ([A-Z2-7]+)`));
      if (!found) throw new Error(`no TOTP secret for ${login} in:\n${output}`);
      return found[1];
    },
    async stop() {
      child.kill('SIGINT');
      await exited;
    },
  };
}

// A signed-in API client (cookie session) for the other parties of a
// journey.
// `extra` goes with the sign-in (a member of staff's `totp`).
export async function apiClient(base, login, password, extra = {}) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password, ...extra }),
  });
  if (!r.ok) throw new Error(`sign-in of ${login} failed: ${r.status} ${await r.text()}`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  let n = 0;
  return async function call(method, route, body) {
    n += 1;
    const headers = { cookie, 'idempotency-key': `e2e-${login}-${Date.now()}-${n}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
}
