// Legwork traders' dashboard: polls the JSON API and renders state, trades, candidates, events and rule errors.
// All data goes into the DOM as text nodes (never innerHTML) so nothing from the API is interpreted as markup. The
// Account section (account.js) refreshes on its own, slower cadence and shows its errors in its own panels.
import { startAccount } from './account.js';
import { $, ApiError, api, el, fillBody, td, time } from './lib.js';

const REFRESH_MS = 5000;

// ---- formatting ----
function money(cents) {
  if (cents === null || cents === undefined || Number.isNaN(Number(cents))) return '—';
  const n = Number(cents) / 100;
  return `${n < 0 ? '-' : ''}$${Math.abs(n).toFixed(2)}`;
}
const moneyClass = (cents) => (cents === null || cents === undefined ? '' : cents > 0 ? 'pos' : cents < 0 ? 'neg' : '');
function dollars(v) {
  return v === null || v === undefined || v === '' ? '—' : `$${Number(v).toFixed(2)}`;
}
function pct(v) {
  if (v === null || v === undefined || v === '') return '—';
  const n = Number(v);
  return `${(n <= 1 ? n * 100 : n).toFixed(1)}%`;
}
function num(v, digits = 3) {
  return v === null || v === undefined ? '—' : Number(v).toFixed(digits);
}

// ---- sections ----
function renderState({ tradingState: s }) {
  const badge = $('trading-state');
  badge.textContent = s.state;
  badge.className = `badge ${s.state}`;
  const bits = [];
  if (s.reason) bits.push(`reason: ${s.reason}`);
  if (s.by) bits.push(`by ${s.by}`);
  if (s.at) bits.push(`at ${time(s.at)}`);
  $('state-detail').textContent = bits.join(' · ');
  $('halt-btn').disabled = s.state === 'halted';
  $('resume-btn').disabled = s.state === 'active';
}

function legList(legs = []) {
  return el(
    'ul',
    { className: 'legs' },
    legs.map((l) => {
      const sell = String(l.action).startsWith('Sell');
      const text = `${sell ? 'S' : 'B'} ${l.quantity}× ${l.strike}${l.right ?? ''}  ${l.symbol}`;
      return el('li', { text, className: sell ? 'sell' : 'buy', title: l.action });
    }),
  );
}

const ACTIVE = new Set(['awaiting_approval', 'pending', 'opening', 'open', 'closing', 'broken']);

/** The status cell: a proposal (manual approval) shows until when it may be approved, with Approve and Reject. */
function statusCell(t) {
  if (t.status !== 'awaiting_approval') return td(t.status);
  const approve = el('button', { text: 'Approve', className: 'ok small approve-btn' });
  const reject = el('button', { text: 'Reject', className: 'danger small reject-btn' });
  approve.type = 'button';
  reject.type = 'button';
  approve.addEventListener('click', () => void decide(t, 'approve', [approve, reject]));
  reject.addEventListener('click', () => void decide(t, 'reject', [approve, reject]));
  return el('td', { className: 'awaiting' }, [
    el('div', { text: `awaiting approval until ${time(t.approvalDeadline)}` }),
    el('div', { className: 'decide' }, [approve, reject]),
  ]);
}

function renderTrades({ trades }) {
  const rows = trades
    .filter((t) => ACTIVE.has(t.status))
    .map((t) => {
      const tr = el('tr', {}, [
        td(t.underlying),
        td(t.ruleSet),
        td(t.strategy),
        td(t.expiration),
        td(t.quantity, 'num'),
        statusCell(t),
        el('td', {}, [legList(t.legs)]),
        td(money(t.entryCreditCents), 'num'),
        td(money(t.realizedPnlCents), `num ${moneyClass(t.realizedPnlCents)}`),
        td(money(t.unrealizedPnlCents), `num ${moneyClass(t.unrealizedPnlCents)}`),
        td(time(t.openedAt ?? t.createdAt)),
      ]);
      tr.dataset.tradeId = t.id;
      return tr;
    });
  fillBody('trades', rows, 11, 'No open trades.');
}

function renderCandidates({ candidates }) {
  const rows = candidates.map((c) => {
    const f = c.facts ?? {};
    const tr = el('tr', { className: c.selected ? 'selected' : '' }, [
      td(c.rank ?? '—', 'num'),
      td(c.ruleSet),
      td(c.strategy),
      td(c.underlying),
      td(c.expiration),
      td(c.dte, 'num'),
      td(dollars(f.credit_mid), 'num'),
      td(dollars(f.width), 'num'),
      td(dollars(f.max_loss), 'num'),
      td(pct(f.pop), 'num'),
      td(num(c.score), 'num'),
      td(c.selected ? '✔ selected' : ''),
    ]);
    return tr;
  });
  fillBody('candidates', rows, 12, 'No ranked candidates yet.');
}

const NOISY = new Set(['facts', 'dryRun', 'rulesHash', 'trace', 'legs']);
const ID_LIKE = /(^id$|Id$)/;
function summarize(e) {
  const d = e.data ?? {};
  const parts = [];
  if (e.tradeId) parts.push(`trade ${String(e.tradeId).slice(0, 8)}`);
  const entries = Object.entries(d).filter(([k, v]) => v !== null && v !== undefined && !NOISY.has(k));
  // Scalars first (they read best), then small objects/arrays
  entries.sort(([, a], [, b]) => Number(typeof a === 'object') - Number(typeof b === 'object'));
  for (const [k, v] of entries) {
    if (k === 'tradeId' && e.tradeId) continue;
    let s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (typeof v === 'number' && !Number.isInteger(v)) s = v.toFixed(3);
    if (ID_LIKE.test(k)) s = s.slice(0, 8);
    parts.push(`${k}=${s.length > 40 ? `${s.slice(0, 37)}…` : s}`);
    if (parts.length >= 7) break;
  }
  return parts.join('  ');
}

function renderEvents({ events }) {
  const rows = events.map((e) =>
    el('tr', {}, [td(time(e.at)), td(e.kind), el('td', { text: summarize(e), className: 'summary' })]),
  );
  fillBody('events', rows, 3, 'No events yet.');
}

function renderRules({ errors = [] }) {
  $('rule-errors-card').hidden = errors.length === 0;
  $('rule-errors').replaceChildren(
    ...errors.flatMap((f) =>
      f.problems.map((p) => el('li', { text: `${f.file}:${p.line ?? '?'}:${p.col ?? '?'} — ${p.message}` })),
    ),
  );
}

// ---- refresh loop ----
function showNotice(message) {
  const n = $('notice');
  n.hidden = !message;
  n.textContent = message ?? '';
}

const SECTIONS = [
  ['/api/state', renderState],
  ['/api/trades?status=awaiting_approval,pending,opening,open,closing,broken&limit=200', renderTrades],
  ['/api/candidates/latest', renderCandidates],
  ['/api/events?limit=50', renderEvents],
  ['/api/rules', renderRules],
];

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  const results = await Promise.allSettled(SECTIONS.map(([path, render]) => api(path).then(render)));
  refreshing = false;
  const failed = results.find((r) => r.status === 'rejected');
  showNotice(failed ? failed.reason.message : null);
  $('updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
}

function actionMessage(text, kind) {
  const m = $('action-msg');
  m.textContent = text;
  m.className = `action-msg ${kind}`;
}

async function changeState(path, body) {
  $('halt-btn').disabled = true;
  $('resume-btn').disabled = true;
  try {
    const res = await api(path, { method: 'POST', body: JSON.stringify(body) });
    renderState(res);
    $('flatten').checked = false;
    actionMessage(`Trading is now ${res.tradingState.state}.`, 'success');
  } catch (err) {
    actionMessage(err.message, 'error');
  }
  await refresh();
}

/** Approve or reject a proposed trade (after confirming; a rejection may say why). Audited as http:<user>. */
async function decide(t, decision, buttons) {
  const what = `${t.strategy} ${t.underlying} ${t.expiration}`;
  let reason;
  if (decision === 'approve') {
    if (!window.confirm(`Approve ${what}? It is planned now on fresh quotes and sent.`)) return;
  } else {
    if (!window.confirm(`Reject ${what}?`)) return;
    reason = (window.prompt('Why reject it? (optional, audited)') ?? '').trim() || undefined;
  }
  for (const b of buttons) b.disabled = true;
  try {
    const res = await api(`/api/trades/${t.id}/${decision}`, {
      method: 'POST',
      body: JSON.stringify(reason ? { reason } : {}),
    });
    actionMessage(
      decision === 'approve'
        ? `Approved ${what}: it is ${res.trade.status} and goes to the executor.`
        : `Rejected ${what}.`,
      'success',
    );
  } catch (err) {
    actionMessage(err.message, 'error');
  }
  await refresh();
}

$('halt-btn').addEventListener('click', () => {
  const flatten = $('flatten').checked;
  const question = flatten
    ? 'Halt trading AND flatten: stop new entries and close all open trades?'
    : 'Halt trading: stop new entries (open trades keep being managed)?';
  if (!window.confirm(question)) return;
  void changeState('/api/halt', {
    reason: flatten ? 'halted and flattened from dashboard' : 'halted from dashboard',
    flatten,
  });
});
$('resume-btn').addEventListener('click', () => {
  void resume();
});

/** Resume; refused (409) while something is broken: say what, and offer an audited override with a reason. */
async function resume() {
  try {
    const res = await api('/api/resume', {
      method: 'POST',
      body: JSON.stringify({ reason: 'resumed from dashboard' }),
    });
    renderState(res);
    actionMessage(`Trading is now ${res.tradingState.state}.`, 'success');
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 409) {
      actionMessage(err.message, 'error');
    } else if (window.confirm(`${err.message}\n\nResume anyway? The override is audited with what it overrides.`)) {
      const reason = (window.prompt('Why resume while something is broken? (required, audited)') ?? '').trim();
      if (reason) await changeState('/api/resume', { force: true, reason });
      else actionMessage('Not resumed: an override needs a reason.', 'error');
      return;
    } else {
      actionMessage('Not resumed: something is still broken.', 'error');
    }
  }
  await refresh();
}

void refresh();
setInterval(refresh, REFRESH_MS);
startAccount();
