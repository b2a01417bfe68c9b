// Cohort dashboard: one page, no build step. Every value from the API is put into the page with textContent or
// as an element property, never as markup, so job names, reasons and progress messages cannot inject anything.
'use strict';

const API = '/api/v1';
/** Event kinds of the stream; a named SSE event reaches only listeners of its own name. */
const KINDS = ['job.submitted', 'job.state', 'job.progress', 'attempt.started', 'attempt.ended', 'node.joined',
  'node.state'];
const FAILED_STATES = 'FAILED,DEAD_LETTER,TIMED_OUT';
const RECENT_FAILURES = 10;
const LIST_LIMIT = 200;
/**
 * A user token's stream carries its own jobs and the nodes, not other users' jobs, which move its place in the
 * queue: its dashboard also re-reads the lists this often.
 */
const USER_REFRESH_MILLIS = 15000;

const view = {
  source: null,
  lastEvent: 0,
  refreshTimer: null,
  refreshing: null,
  pollTimer: null,
  /** The notice shown while nothing is wrong (user tokens: what the lists cover). */
  standing: '',
  /** Job id -> the job's JSON as last seen (progress updates patch it in place). */
  running: new Map(),
  /** "id/endedAt" -> attempt list of a failed job (ended jobs do not change). */
  attempts: new Map(),
};

class AuthError extends Error {}

const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) {
    node.textContent = String(text);
  }
  if (className) {
    node.className = className;
  }
  return node;
}

/** Calls the API with the session cookie; throws AuthError on 401 and Error with the API's message otherwise. */
async function api(path, options = {}) {
  const response = await fetch(API + path, { credentials: 'same-origin', cache: 'no-store', ...options });
  if (response.status === 204) {
    return null;
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  if (response.status === 401) {
    throw new AuthError(body && body.error ? body.error : 'not logged in');
  }
  if (!response.ok) {
    throw new Error((body && body.error) ? body.error : 'HTTP ' + response.status + ' for ' + path);
  }
  return body;
}

function show(id, visible) {
  $(id).hidden = !visible;
}

function showLogin(message) {
  stopLive();
  show('dashboard', false);
  show('logout', false);
  show('who', false);
  // Nothing of the last session may linger for the next one to be mistaken for (its status, its user).
  setStatus('', '');
  show('status', false);
  $('who').textContent = '';
  show('login', true);
  const error = $('login-error');
  error.textContent = message || '';
  error.hidden = !message;
  $('token').focus();
}

async function login(event) {
  event.preventDefault();
  const input = $('token');
  const token = input.value.trim();
  // The token leaves the page's memory as soon as it is sent: the session cookie (HttpOnly) replaces it.
  input.value = '';
  if (!token) {
    showLogin('Paste a token first.');
    return;
  }
  try {
    const response = await fetch(API + '/session', {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { Authorization: 'Bearer ' + token },
    });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      showLogin('Login failed: ' + (body && body.error ? body.error : 'HTTP ' + response.status));
      return;
    }
    await start(body);
  } catch (e) {
    showLogin('Login failed: ' + e.message);
  }
}

async function logout() {
  stopLive();
  try {
    await api('/session', { method: 'DELETE' });
  } catch (e) {
    // The cookie is cleared by the answer; a failed call leaves a session that expires on its own.
  }
  showLogin('Logged out.');
}

async function start(session) {
  show('login', false);
  show('dashboard', true);
  show('logout', true);
  const who = $('who');
  who.textContent = session.user + ' (' + session.role + ')';
  who.title = 'session ends ' + new Date(session.expiresAt).toLocaleString();
  who.hidden = false;
  view.lastEvent = session.lastEvent;
  view.standing = session.role === 'admin' ? ''
    : 'Signed in as a user: the lists show your own jobs (queue positions count everyone\'s).';
  notice(view.standing);
  await refresh();
  openStream();
  if (session.role !== 'admin') {
    view.pollTimer = setInterval(() => refresh(), USER_REFRESH_MILLIS);
  }
}

function stopLive() {
  if (view.source) {
    view.source.close();
    view.source = null;
  }
  clearTimeout(view.refreshTimer);
  clearInterval(view.pollTimer);
  view.pollTimer = null;
}

function notice(text) {
  const node = $('notice');
  node.textContent = text;
  node.hidden = !text;
}

function setStatus(kind, text) {
  const status = $('status');
  status.className = 'status ' + kind;
  status.textContent = text;
  status.hidden = false;
}

function openStream() {
  // The snapshot was read after lastEvent: the stream replays what happened since, so nothing is missed.
  const source = new EventSource(API + '/events?after=' + encodeURIComponent(view.lastEvent));
  view.source = source;
  setStatus('connecting', 'connecting…');
  source.onopen = () => setStatus('live', 'live');
  source.onerror = () => {
    if (source.readyState === EventSource.CONNECTING) {
      // The browser reconnects by itself with Last-Event-ID.
      setStatus('connecting', 'reconnecting…');
      return;
    }
    // Closed: refused (session ended) or the head node answered with an error. Find out which.
    source.close();
    if (view.source === source) {
      view.source = null;
      recover();
    }
  };
  for (const kind of KINDS) {
    source.addEventListener(kind, onEvent);
  }
}

async function recover() {
  setStatus('down', 'disconnected');
  try {
    const session = await api('/session');
    view.lastEvent = Math.max(view.lastEvent, session.lastEvent);
    setTimeout(() => {
      if (!view.source && !$('dashboard').hidden) {
        refresh().then(openStream);
      }
    }, 2000);
  } catch (e) {
    if (e instanceof AuthError) {
      showLogin('Your session ended: ' + e.message);
    } else {
      setTimeout(recover, 2000);
    }
  }
}

function onEvent(message) {
  let event;
  try {
    event = JSON.parse(message.data);
  } catch (e) {
    return;
  }
  view.lastEvent = Math.max(view.lastEvent, Number(message.lastEventId) || 0);
  if (event.kind === 'job.progress' && event.progress && view.running.has(event.job)) {
    // Progress changes one bar: patch it in place instead of reloading every list.
    const job = view.running.get(event.job);
    job.progress = event.progress;
    updateProgress(job);
    return;
  }
  scheduleRefresh();
}

/** Many events arrive together (a pass starts several jobs): one reload after a short pause covers them all. */
function scheduleRefresh() {
  clearTimeout(view.refreshTimer);
  view.refreshTimer = setTimeout(refresh, 250);
}

async function refresh() {
  if (view.refreshing) {
    // One reload at a time; a request during one runs right after it, so the last event is always reflected.
    view.again = true;
    return view.refreshing;
  }
  view.refreshing = (async () => {
    try {
      const [nodes, queue, running, failures] = await Promise.all([
        api('/nodes'),
        api('/jobs?order=schedule&limit=' + LIST_LIMIT),
        api('/jobs?state=STARTING,RUNNING&limit=' + LIST_LIMIT),
        api('/jobs?state=' + FAILED_STATES + '&order=newest&limit=' + RECENT_FAILURES),
      ]);
      await loadAttempts(failures.jobs);
      renderNodes(nodes.nodes);
      renderRunning(running.jobs);
      renderQueue(queue.jobs);
      renderFailures(failures.jobs);
      $('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
      notice(view.standing);
    } catch (e) {
      if (e instanceof AuthError) {
        showLogin('Your session ended: ' + e.message);
      } else {
        notice('Could not load: ' + e.message);
      }
    }
  })();
  try {
    await view.refreshing;
  } finally {
    view.refreshing = null;
  }
  if (view.again) {
    view.again = false;
    await refresh();
  }
}

async function loadAttempts(jobs) {
  await Promise.all(jobs.map(async (job) => {
    const key = job.id + '/' + (job.endedAt || '');
    if (!view.attempts.has(key)) {
      const detail = await api('/jobs/' + job.id);
      view.attempts.set(key, detail.attemptList || []);
    }
  }));
}

function fill(tableId, rows) {
  const body = $(tableId).tBodies[0];
  body.replaceChildren(...rows);
  $(tableId).hidden = rows.length === 0;
  document.querySelector('[data-empty-for="' + tableId + '"]').hidden = rows.length !== 0;
}

function row(cells, id) {
  const tr = document.createElement('tr');
  if (id !== undefined) {
    tr.dataset.job = String(id);
  }
  for (const cell of cells) {
    tr.append(cell instanceof Node ? wrap(cell) : el('td', cell));
  }
  return tr;
}

function wrap(node) {
  if (node.tagName === 'TD') {
    return node;
  }
  const td = document.createElement('td');
  td.append(node);
  return td;
}

function stateBadge(state) {
  return el('span', state, 'badge ' + state.toLowerCase());
}

function renderNodes(nodes) {
  let used = 0;
  let total = 0;
  const rows = nodes.map((node) => {
    used += node.slotsUsed;
    total += node.state === 'UP' ? node.slots : 0;
    const bar = document.createElement('progress');
    bar.max = Math.max(node.slots, 1);
    bar.value = node.slotsUsed;
    const tr = row([node.name, stateBadge(node.state), node.slotsUsed + ' / ' + node.slots, bar,
      agoCell(node.lastSeen)]);
    tr.dataset.node = node.name;
    return tr;
  });
  $('nodes-summary').textContent = nodes.length ? used + ' of ' + total + ' slots in use' : '';
  fill('nodes', rows);
}

function renderRunning(jobs) {
  view.running = new Map(jobs.map((job) => [job.id, job]));
  const rows = jobs.map((job) => {
    const bar = document.createElement('progress');
    const percent = el('span', '', 'percent');
    const progress = el('td', null, 'progress');
    progress.append(bar, percent);
    const tr = row([job.id, job.name, job.owner, job.ranks, stateBadge(job.state), progress,
      el('td', '', 'message')], job.id);
    updateProgress(job, tr);
    return tr;
  });
  $('running-summary').textContent = jobs.length ? String(jobs.length) : '';
  fill('running', rows);
}

/** Shows a running job's progress: a bar of done/total, or a moving bar while it has reported none. */
function updateProgress(job, tr) {
  const target = tr || document.querySelector('#running tr[data-job="' + job.id + '"]');
  if (!target) {
    return;
  }
  const bar = target.querySelector('progress');
  const percent = target.querySelector('.percent');
  const message = target.querySelector('.message');
  const p = job.progress;
  if (p && p.total > 0) {
    bar.max = p.total;
    bar.value = Math.min(p.done, p.total);
    percent.textContent = Math.floor(100 * Math.min(p.done, p.total) / p.total) + '% (' + p.done + '/' + p.total
      + ')';
  } else if (p) {
    bar.removeAttribute('value');
    percent.textContent = String(p.done);
  } else {
    bar.removeAttribute('value');
    percent.textContent = 'no progress reported';
  }
  message.textContent = p && p.message ? p.message : '';
  target.dataset.done = p ? String(p.done) : '';
}

function renderQueue(jobs) {
  const rows = jobs.map((job) => row([job.position === undefined ? '–' : job.position, job.id, job.name, job.owner,
    job.ranks, job.priority, stateBadge(job.state), job.waiting || job.reason || ''], job.id));
  fill('queue', rows);
}

function renderFailures(jobs) {
  const rows = jobs.map((job) => {
    const list = el('ol', null, 'attempts');
    for (const attempt of view.attempts.get(job.id + '/' + (job.endedAt || '')) || []) {
      const item = el('li', 'attempt ' + attempt.number + ': ' + attempt.status
        + (attempt.exitCode !== undefined ? ' (exit ' + attempt.exitCode + ')' : '')
        + (attempt.reason ? ': ' + attempt.reason : ''));
      list.append(item);
    }
    return row([job.id, job.name, job.owner, stateBadge(job.state), agoCell(job.endedAt),
      el('td', job.reason || '', 'reason'), list], job.id);
  });
  fill('failures', rows);
}

/** A cell with a time as "12 s ago", kept current by the clock below. */
function agoCell(iso) {
  const td = el('td', iso ? ago(iso) : '', 'ago');
  if (iso) {
    td.dataset.at = iso;
    td.title = new Date(iso).toLocaleString();
  }
  return td;
}

setInterval(() => {
  for (const cell of document.querySelectorAll('td.ago[data-at]')) {
    cell.textContent = ago(cell.dataset.at);
  }
}, 5000);

function ago(iso) {
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) {
    return Math.max(seconds, 0) + ' s ago';
  }
  if (seconds < 3600) {
    return Math.round(seconds / 60) + ' min ago';
  }
  return new Date(iso).toLocaleString();
}

async function boot() {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  try {
    await start(await api('/session'));
  } catch (e) {
    showLogin(e instanceof AuthError ? '' : 'Cannot reach the head node: ' + e.message);
  }
}

boot();
