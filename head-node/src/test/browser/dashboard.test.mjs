// Drives Debian's Chromium through the dashboard of a real head node with a real agent (started by cli's
// DashboardIT, which passes everything in the environment). Prints one line per check and exits 0 only if every
// check passed; screenshots go to COHORT_ARTIFACTS as dashboard-*.png.
//
//   COHORT_URL               the head node's API, https://127.0.0.1:PORT
//   COHORT_TOKEN             an admin token (in the environment, not on the command line: ps shows arguments)
//   NODE_EXTRA_CA_CERTS      the cluster's CA, so this script's own API calls verify TLS
//   COHORT_SLEEP_CLASSPATH   classpath of io.cohort.cli.SleepingJob (a job that holds its slots for 60 s)
//   COHORT_PROGRESS_CLASSPATH classpath of io.cohort.examples.ProgressDemo
//   COHORT_ARTIFACTS         where screenshots go
//   COHORT_CHROMIUM          the browser (default /usr/bin/chromium)
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = process.env;
const base = env.COHORT_URL;
const token = env.COHORT_TOKEN;
const artifacts = env.COHORT_ARTIFACTS;
const WAIT = 30_000;

function check(condition, what) {
  if (!condition) {
    throw new Error('check failed: ' + what);
  }
  console.log('ok: ' + what);
}

async function call(method, path, body, as = token) {
  const response = await fetch(base + '/api/v1' + path, {
    method,
    headers: { Authorization: 'Bearer ' + as, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null, headers: response.headers };
}

async function submit(spec, as = token) {
  const answer = await call('POST', '/jobs', spec, as);
  if (answer.status !== 201) {
    throw new Error('submit refused: ' + JSON.stringify(answer.json));
  }
  return answer.json.id;
}

async function awaitJob(id, states) {
  const until = Date.now() + 60_000;
  let last;
  while (Date.now() < until) {
    last = (await call('GET', '/jobs/' + id)).json;
    if (states.includes(last.state)) {
      return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('job ' + id + ' never reached ' + states + '; last: ' + JSON.stringify(last));
}

function row(page, table, id) {
  return page.locator('#' + table + ' tr[data-job="' + id + '"]');
}

async function unauthenticated() {
  for (const path of ['/jobs', '/nodes', '/events', '/session']) {
    const response = await fetch(base + '/api/v1' + path);
    check(response.status === 401, 'GET /api/v1' + path + ' without a token or session is 401 (got '
      + response.status + ')');
  }
  const page = await fetch(base + '/');
  const csp = page.headers.get('content-security-policy') || '';
  check(csp.includes("script-src 'self'") && csp.includes("default-src 'none'"), 'the page has a strict CSP: '
    + csp);
  check(page.headers.get('cache-control') === 'no-store', 'the page is served with Cache-Control: no-store');
}

async function main() {
  await unauthenticated();
  const profile = mkdtempSync(join(tmpdir(), 'cohort-chromium-'));
  // A fresh, empty profile (Playwright passes it as --user-data-dir); the flags keep Chromium off the network.
  // The head node's certificate is signed by the cluster's own CA, which this profile does not know.
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: env.COHORT_CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      ignoreHTTPSErrors: true,
      viewport: { width: 1280, height: 1000 },
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const blockers = [];
  let page;
  try {
    page = context.pages()[0] || await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // Failed requests are reported below with their address; 401s are expected (login with a wrong token).
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageErrors.push(message.text());
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 400 && response.status() !== 401) {
        pageErrors.push(response.status() + ' for ' + response.url());
      }
    });

    await page.goto(base + '/');
    await page.locator('#login').waitFor({ state: 'visible', timeout: WAIT });
    check(true, 'the page opens on the login form');

    await page.fill('#token', 'cohort_0000000000000000_' + 'A'.repeat(43));
    await page.click('#login button[type=submit]');
    const error = page.locator('#login-error');
    await error.waitFor({ state: 'visible', timeout: WAIT });
    check((await error.textContent()).includes('Login failed: unknown token'), 'a wrong token shows "'
      + await error.textContent() + '"');
    await page.fill('#token', 'not-a-token');
    await page.click('#login button[type=submit]');
    await page.waitForFunction(() => document.getElementById('login-error').textContent.includes('malformed'));
    check(true, 'a malformed token shows "' + await error.textContent() + '"');
    check(await page.isHidden('#dashboard'), 'no data is shown without a login');
    await page.screenshot({ path: join(artifacts, 'dashboard-login-error.png') });

    await page.fill('#token', token);
    await page.click('#login button[type=submit]');
    await page.locator('#dashboard').waitFor({ state: 'visible', timeout: WAIT });
    check(!page.url().includes(token) && (await page.inputValue('#token')) === '', 'logged in; the token is '
      + 'neither in the URL nor left in the form');
    const cookie = (await context.cookies()).find((c) => c.name === 'cohort_session');
    check(cookie && cookie.httpOnly && cookie.secure && cookie.sameSite === 'Strict' && cookie.path === '/api/v1',
      'the session cookie is HttpOnly, Secure, SameSite=Strict, for /api/v1 only');
    check(!(await page.evaluate(() => document.cookie)).includes('cohort_session'), 'the script cannot read it');
    await page.waitForFunction(() => document.getElementById('status').textContent === 'live', null,
      { timeout: WAIT });
    check(true, 'the event stream is live');
    await page.waitForFunction(() => /dash1\s*UP\s*0 \/ 2/.test(document.querySelector('#nodes').innerText), null,
      { timeout: WAIT });
    check(true, 'the nodes table shows the agent dash1 UP with 0 / 2 slots used');

    // Fill both slots, so the next jobs have to queue.
    const blocker = await submit({ name: 'blocker', ranks: 2, program: { classpath: [env.COHORT_SLEEP_CLASSPATH],
      mainClass: 'io.cohort.cli.SleepingJob' } });
    blockers.push(blocker);
    await row(page, 'running', blocker).waitFor({ timeout: WAIT });
    await page.waitForFunction(() => document.querySelector('#nodes').textContent.includes('2 / 2'), null,
      { timeout: WAIT });
    check(true, 'the blocker runs and the node shows 2 / 2 slots used');

    const low = await submit({ name: 'progress-low', ranks: 1, priority: 0,
      program: { classpath: [env.COHORT_PROGRESS_CLASSPATH], mainClass: 'io.cohort.examples.ProgressDemo' },
      args: ['12', '400'] });
    const high = await submit({ name: 'progress-high', ranks: 1, priority: 5,
      program: { classpath: [env.COHORT_PROGRESS_CLASSPATH], mainClass: 'io.cohort.examples.ProgressDemo' },
      args: ['12', '400'] });
    await row(page, 'queue', low).waitFor({ timeout: WAIT });
    await row(page, 'queue', high).waitFor({ timeout: WAIT });
    const queued = await page.$$eval('#queue tbody tr', (rows) => rows.map((r) => [r.dataset.job,
      r.cells[0].textContent]));
    check(JSON.stringify(queued) === JSON.stringify([[String(high), '1'], [String(low), '2']]),
      'the queue is in scheduling order (higher priority first, though submitted later): ' + JSON.stringify(queued));
    await page.screenshot({ path: join(artifacts, 'dashboard-queue.png'), fullPage: true });

    await call('POST', '/jobs/' + blocker + '/cancel');
    const running = row(page, 'running', high);
    await running.waitFor({ timeout: WAIT });
    check(true, 'after the blocker is cancelled, job ' + high + ' moves from the queue to the running list');
    await page.waitForFunction((id) => {
      const tr = document.querySelector('#running tr[data-job="' + id + '"]');
      return tr && Number(tr.dataset.done) >= 2;
    }, high, { timeout: WAIT });
    const first = Number(await running.getAttribute('data-done'));
    const firstText = await running.locator('.percent').textContent();
    await page.screenshot({ path: join(artifacts, 'dashboard-progress.png'), fullPage: true });
    await page.waitForFunction(([id, seen]) => {
      const tr = document.querySelector('#running tr[data-job="' + id + '"]');
      return tr && Number(tr.dataset.done) > seen;
    }, [high, first], { timeout: WAIT });
    const second = await running.locator('.percent').textContent();
    check(true, 'the progress bar moves: "' + firstText + '" then "' + second + '"');
    const bar = await running.locator('progress').evaluate((p) => [p.value, p.max]);
    check(bar[1] === 12 && bar[0] > 0 && bar[0] <= 12, 'the bar is done/total of the job\'s report: ' + bar);

    await running.waitFor({ state: 'detached', timeout: WAIT });
    const done = await awaitJob(high, ['COMPLETED', 'FAILED']);
    check(done.state === 'COMPLETED', 'job ' + high + ' finished (COMPLETED) and left the running list');

    const failing = await submit({ name: 'fails-with-3', ranks: 1, program: { executable: '/bin/sh' },
      args: ['-c', 'echo about to fail; exit 3'], retry: { maxAttempts: 1 } });
    const failure = row(page, 'failures', failing);
    await failure.waitFor({ timeout: WAIT });
    await page.waitForFunction((id) => {
      const tr = document.querySelector('#failures tr[data-job="' + id + '"]');
      return tr && tr.querySelector('.attempts li');
    }, failing, { timeout: WAIT });
    const failureText = await failure.textContent();
    check(failureText.includes('FAILED') && failureText.includes('exited with 3')
      && failureText.includes('attempt 1: FAILED (exit 3)'),
      'the failing job is under recent failures with its reason and attempt: ' + failureText.replace(/\s+/g, ' '));

    await awaitJob(low, ['COMPLETED', 'FAILED']);
    await page.waitForFunction(() => document.querySelectorAll('#running tbody tr').length === 0
      && document.querySelectorAll('#queue tbody tr').length === 0, null, { timeout: WAIT });
    await page.screenshot({ path: join(artifacts, 'dashboard-final.png'), fullPage: true });
    check(pageErrors.length === 0, 'no script errors on the page: ' + JSON.stringify(pageErrors));

    // Hostile text from the API (a progress message, a reason) must show as text: answer the page's own request
    // for failures with one, as the head node would relay a job's words.
    await page.route('**/api/v1/jobs?state=FAILED*', async (route) => {
      const real = await route.fetch();
      const body = await real.json();
      body.jobs.unshift({ id: 999999, name: 'evil', owner: 'mallory', state: 'FAILED', endedAt: new Date()
        .toISOString(), reason: '<img src=x onerror="window.__injected=1"><b>bold</b>' });
      await route.fulfill({ response: real, json: body });
    });
    await page.route('**/api/v1/jobs/999999', (route) => route.fulfill({ json: { id: 999999, attemptList: [
      { number: 1, status: 'FAILED', reason: '<script>window.__injected=2</script>' }] } }));
    await page.reload();
    await row(page, 'failures', 999999).waitFor({ timeout: WAIT });
    const evil = row(page, 'failures', 999999);
    check((await evil.locator('.reason').textContent()).includes('<img src=x')
      && await evil.locator('img, b, script').count() === 0
      && await page.evaluate(() => window.__injected === undefined),
      'markup in a reason is shown as text and never runs');
    await page.unroute('**/api/v1/jobs?state=FAILED*');
    await page.unroute('**/api/v1/jobs/999999');

    const sessionCookie = { Cookie: 'cohort_session=' + (await context.cookies())
      .find((c) => c.name === 'cohort_session').value };
    const before = await fetch(base + '/api/v1/jobs', { headers: sessionCookie });
    check(before.status === 200, 'the session cookie alone reads the API (200)');
    const write = await fetch(base + '/api/v1/jobs/' + low + '/cancel', { method: 'POST', headers: sessionCookie });
    check(write.status === 403, 'but may not act: POST with only the cookie is 403');
    await page.click('#logout');
    await page.locator('#login').waitFor({ state: 'visible', timeout: WAIT });
    const after = await fetch(base + '/api/v1/jobs', { headers: sessionCookie });
    check(after.status === 401, 'after logout the old session cookie is refused (401)');
    check(!(await context.cookies()).some((c) => c.name === 'cohort_session'), 'logout cleared the cookie');

    // A user token: its dashboard is live too, over the stream of its own jobs and the nodes.
    const aliceToken = (await call('POST', '/tokens', { user: 'alice', name: 'alice-dashboard' })).json;
    const alice = aliceToken.token;
    await page.fill('#token', alice);
    await page.click('#login button[type=submit]');
    await page.waitForFunction(() => document.getElementById('who').textContent === 'alice (user)'
      && document.getElementById('status').textContent === 'live', null, { timeout: WAIT });
    check(await page.isVisible('#notice'),
      'a user logs in and is told the lists show their own jobs');
    check(await page.isVisible('[data-empty-for="failures"]'), 'the admin\'s failed job is not shown to alice');
    const hers = await submit({ name: 'alices-job', ranks: 1, program: { classpath: [env.COHORT_PROGRESS_CLASSPATH],
      mainClass: 'io.cohort.examples.ProgressDemo' }, args: ['8', '400'] }, alice);
    await page.waitForFunction((id) => {
      const tr = document.querySelector('#running tr[data-job="' + id + '"]');
      return tr && Number(tr.dataset.done) >= 1;
    }, hers, { timeout: WAIT });
    await page.screenshot({ path: join(artifacts, 'dashboard-user.png'), fullPage: true });
    await row(page, 'running', hers).waitFor({ state: 'detached', timeout: WAIT });
    check((await awaitJob(hers, ['COMPLETED', 'FAILED'])).state === 'COMPLETED',
      'alice\'s job shows up running with progress and leaves when it completes, live');

    // Revoking her token ends her open page: its stream closes at the next event, the reconnection is refused.
    await call('DELETE', '/tokens/' + aliceToken.id);
    await submit({ name: 'any-event', ranks: 1, program: { executable: '/bin/true' } });
    await page.locator('#login').waitFor({ state: 'visible', timeout: WAIT });
    check((await error.textContent()).includes('was revoked'), 'revoking the token ends the open page\'s session: "'
      + await error.textContent() + '"');
  } catch (error) {
    if (page) {
      await page.screenshot({ path: join(artifacts, 'dashboard-failure.png'), fullPage: true }).catch(() => {});
    }
    throw error;
  } finally {
    for (const id of blockers) {
      await call('POST', '/jobs/' + id + '/cancel').catch(() => {});
    }
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

main().then(() => {
  console.log('dashboard browser test passed');
}, (error) => {
  console.error('dashboard browser test FAILED: ' + (error && error.stack ? error.stack : error));
  process.exit(1);
});
