// Owns the dashboard's Account section: the account as a whole from GET /api/history (equity curve with the drawdown
// from its peak, greeks over time) and GET /api/risk (summary, VaR, limits as bars, failsafes, positions with their
// greeks, the what-if grid as a heat map with a day selector). Money is in dollars here. Each panel shows its own
// message when its endpoint fails or has nothing yet; a render that throws is caught and shown in its panel.
import { clearChart, drawTimeChart } from './charts.js';
import { $, api, el, fillBody, td, time } from './lib.js';

const REFRESH_MS = 30_000;
const HISTORY_DAYS = 90;
const FAILSAFE_LABELS = { dailyLoss: 'Daily loss', drawdown: 'Drawdown', brokerErrors: 'Broker errors' };
const COLOURS = { blue: '#2457c5', red: '#c0362c', green: '#1a7f46', amber: '#b26a00', violet: '#7a3db8' };

// ---- formatting (dollars) ----
const finite = (v) => typeof v === 'number' && Number.isFinite(v);
const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const USD0 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const usd = (v) => (finite(v) ? USD.format(v) : '—');
const usd0 = (v) => (finite(v) ? USD0.format(v) : '—');
const fixed = (v, digits = 2) => (finite(v) ? v.toFixed(digits) : '—');
const signedPct = (fraction, digits = 0) =>
  finite(fraction) ? `${fraction > 0 ? '+' : ''}${(fraction * 100).toFixed(digits)}%` : '—';
const signClass = (v) => (!finite(v) ? '' : v > 0 ? 'pos' : v < 0 ? 'neg' : '');
/** An epoch-ms number or an ISO string as epoch ms (NaN when neither). */
const epochMs = (v) => (typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN);

// ---- panel messages ----
function say(id, message) {
  const m = $(id);
  m.hidden = !message;
  m.textContent = message ?? '';
}

/** Runs a render; what it throws becomes the panel's message instead of an uncaught exception. */
async function guarded(msgId, what, render) {
  try {
    await render();
  } catch (err) {
    say(msgId, `Could not show ${what}: ${err?.message ?? err}`);
  }
}

// ---- history: equity curve with drawdown, greeks over time ----
/** Close snapshots and intraday points in time order, one per instant; greeks nested or flat. */
export function historyPoints(history) {
  const rows = [...(history?.snapshots ?? []), ...(history?.intraday ?? [])];
  const byTime = new Map();
  for (const r of rows) {
    const t = epochMs(r?.at);
    if (!finite(t) || !finite(r.netLiq)) continue;
    const g = r.greeks ?? r;
    byTime.set(t, { t, netLiq: r.netLiq, betaDelta: g.betaDelta, theta: g.theta, vega: g.vega });
  }
  return [...byTime.values()].sort((a, b) => a.t - b.t);
}

/** Net liq minus its running peak (0 at a new high, negative below it). */
export function drawdownFromPeak(values) {
  let peak = Number.NEGATIVE_INFINITY;
  return values.map((v) => {
    peak = Math.max(peak, v);
    return v - peak;
  });
}

const nullable = (v) => (finite(v) ? v : null);
const dollarAxis = (scale, side, label) => ({
  scale,
  side,
  label,
  size: 78,
  values: (_u, ticks) => ticks.map((v) => usd0(v)),
  ...(side === 1 ? { grid: { show: false } } : {}),
});

async function renderHistory(history) {
  const points = historyPoints(history);
  const equity = $('equity-chart');
  const greeks = $('greeks-chart');
  if (points.length === 0) {
    clearChart(equity);
    clearChart(greeks);
    const empty = 'No account history yet: the first snapshot comes with the first portfolio sync.';
    say('equity-msg', empty);
    say('greeks-msg', empty);
    return;
  }
  const xs = points.map((p) => p.t / 1000);
  const netLiq = points.map((p) => p.netLiq);
  await guarded('equity-msg', 'the equity curve', async () => {
    await drawTimeChart(
      equity,
      {
        scales: { x: { time: true }, $: {}, dd: { range: (_u, min) => [Math.min(min ?? 0, -1) * 2.5, 0] } },
        series: [
          {},
          { label: 'Net liq', scale: '$', stroke: COLOURS.blue, width: 2, value: (_u, v) => usd(v) },
          {
            label: 'Drawdown from peak',
            scale: 'dd',
            stroke: COLOURS.red,
            width: 1,
            fill: 'rgba(192, 54, 44, 0.18)',
            fillTo: 0,
            value: (_u, v) => usd(v),
          },
        ],
        axes: [{}, dollarAxis('$', 3, 'net liq'), dollarAxis('dd', 1, 'drawdown')],
      },
      [xs, netLiq, drawdownFromPeak(netLiq)],
    );
    say('equity-msg', null);
  });
  await guarded('greeks-msg', 'the greeks over time', async () => {
    await drawTimeChart(
      greeks,
      {
        scales: { x: { time: true }, sh: {}, $: {} },
        series: [
          {},
          {
            label: 'β-delta (SPY sh)',
            scale: 'sh',
            stroke: COLOURS.violet,
            width: 2,
            value: (_u, v) => fixed(v, 1),
          },
          { label: 'Theta ($/day)', scale: '$', stroke: COLOURS.green, width: 2, value: (_u, v) => usd(v) },
          { label: 'Vega ($/vol pt)', scale: '$', stroke: COLOURS.amber, width: 2, value: (_u, v) => usd(v) },
        ],
        axes: [
          {},
          { scale: 'sh', label: 'β-delta', size: 60, values: (_u, ticks) => ticks.map((v) => fixed(v, 0)) },
          dollarAxis('$', 1, 'theta, vega'),
        ],
      },
      [xs, ...['betaDelta', 'theta', 'vega'].map((k) => points.map((p) => nullable(p[k])))],
    );
    say('greeks-msg', null);
  });
}

// ---- risk: summary, VaR, limits, failsafes, positions, what-if ----
const GREEKS = [
  ['delta', 'Δ', 1],
  ['betaDelta', 'βΔ', 1],
  ['gamma', 'Γ', 3],
  ['theta', 'Θ', 2],
  ['vega', 'V', 2],
];

function renderSummary(r) {
  $('net-liq').textContent = usd(r.netLiq);
  $('risk-at').textContent = finite(r.at) ? `as of ${time(r.at)}` : '';
  $('account-greeks').replaceChildren(
    ...GREEKS.map(([k, sym, digits]) =>
      el('span', { className: 'chip', title: k, text: `${sym} ${fixed(r.greeks?.[k], digits)}` }),
    ),
  );
  const dd = r.drawdown;
  const bits = [];
  if (dd && finite(dd.maxDrawdown)) bits.push(`max drawdown ${usd(dd.maxDrawdown)} (${fixed(dd.maxDrawdownPct, 1)}%)`);
  bits.push(r.accountRulesHash ? `account.yaml ${String(r.accountRulesHash).slice(0, 12)}` : 'no account limits file');
  $('account-detail').textContent = bits.join(' · ');
  $('risk-notes').replaceChildren(...(r.notes ?? []).map((n) => el('li', { text: n })));
}

function renderVar(v) {
  const caption = $('var-days');
  caption.textContent = v && finite(v.days) ? `one day, from ${v.days} days of history` : '';
  const row = (label, a, b) => el('tr', {}, [el('th', { text: label }), td(usd(a), 'num'), td(usd(b), 'num')]);
  $('var').tBodies[0].replaceChildren(
    row('Historical', v?.hist95, v?.hist99),
    row('Parametric (Δ-Γ)', v?.param95, v?.param99),
  );
}

/** A limit's use, 1 at the limit, as in /metrics: the report's pct / 100 (a minimum such as greeks.minTheta has its
 * own measure), else used/limit (an infinite pct arrives as null: a zero limit, Infinity once used). */
export function limitRatio(l) {
  if (finite(l.pct)) return l.pct / 100;
  const used = Number(l.used);
  const limit = Number(l.limit);
  return limit > 0 ? used / limit : used > 0 ? Number.POSITIVE_INFINITY : 0;
}
export const limitLevel = (ratio) => (ratio >= 1 ? 'over' : ratio >= 0.75 ? 'near' : 'ok');

function renderLimits(limits) {
  const list = $('limits');
  const items = (limits ?? []).map((l) => {
    const ratio = limitRatio(l);
    const level = limitLevel(ratio);
    const fill = el('span', { className: 'fill' });
    fill.style.width = `${Math.min(100, Math.max(0, finite(ratio) ? ratio * 100 : 100))}%`;
    const item = el('li', { className: `limit ${level}` }, [
      el('span', { className: 'limit-name', text: l.name, title: l.name }),
      el('span', { className: 'bar' }, [fill]),
      el('span', {
        className: 'limit-value',
        text: `${fixed(l.used)} / ${/\.min/.test(l.name) ? 'min ' : ''}${fixed(l.limit)} (${finite(ratio) ? `${(ratio * 100).toFixed(0)}%` : '∞'})`,
      }),
    ]);
    item.dataset.limit = l.name;
    item.dataset.level = level;
    return item;
  });
  list.replaceChildren(...items);
  say('limits-msg', items.length ? null : 'No account limits set (rules/account.yaml).');
}

function renderFailsafes(failsafes) {
  const all = failsafes ?? [];
  $('failsafes').replaceChildren(
    ...all.map((f) => {
      const item = el('li', { className: `failsafe ${f.state}` }, [
        el('span', { className: 'failsafe-name', text: FAILSAFE_LABELS[f.name] ?? f.name }),
        el('span', { className: `badge failsafe-state ${f.state}`, text: f.state }),
        el('span', { className: 'failsafe-reason', text: f.reason ?? '' }),
      ]);
      item.dataset.failsafe = f.name;
      item.dataset.state = f.state;
      return item;
    }),
  );
  say('failsafes-msg', all.length ? null : 'No failsafes configured.');
  const tripped = all.filter((f) => f.state === 'tripped');
  $('account').classList.toggle('alarm', tripped.length > 0);
  say(
    'failsafe-banner',
    tripped.length
      ? `Failsafe tripped — trading is halted until legwork resume: ${tripped
          .map((f) => `${FAILSAFE_LABELS[f.name] ?? f.name}: ${f.reason}`)
          .join('; ')}`
      : null,
  );
}

function renderPositions(positions) {
  const rows = (positions ?? []).map((p) => {
    const foreign = p.owner === 'foreign';
    const owner = foreign
      ? el('td', {}, [el('span', { className: 'badge foreign', text: 'foreign' })])
      : el('td', { className: 'mono', text: String(p.tradeId ?? p.owner).slice(0, 8), title: p.tradeId ?? p.owner });
    const g = p.greeks;
    const tr = el('tr', { className: foreign ? 'foreign' : '' }, [
      td(p.symbol, 'mono'),
      td(p.underlying),
      owner,
      td(p.quantity, 'num'),
      ...GREEKS.map(([k, , digits]) => td(g ? fixed(g[k], digits) : '—', `num ${g ? signClass(g[k]) : ''}`)),
    ]);
    if (!g) tr.title = 'greeks unknown (no mark or no quote)';
    tr.dataset.owner = foreign ? 'foreign' : String(p.tradeId ?? p.owner);
    return tr;
  });
  fillBody('account-positions', rows, 9, 'No positions.');
}

// ---- what-if grid ----
let scenarios = null;

/** The P&L grid ([vol][spot]) of day index `i`. */
export function gridOfDay(s, i) {
  const byDay = Array.isArray(s?.pnlByDay) ? s.pnlByDay[i] : undefined;
  if (Array.isArray(byDay)) return byDay;
  return i === 0 && Array.isArray(s?.pnl) ? s.pnl : [];
}

/** A cell's background: green for a gain, red for a loss, stronger with |v| against the grid's largest. */
export function heat(v, maxAbs) {
  if (!finite(v) || !(maxAbs > 0) || v === 0) return 'transparent';
  const a = (0.08 + 0.72 * Math.min(1, Math.abs(v) / maxAbs)).toFixed(3);
  return v > 0 ? `rgba(26, 127, 70, ${a})` : `rgba(192, 54, 44, ${a})`;
}

function renderWhatIf() {
  const table = $('whatif');
  const select = $('whatif-day');
  const s = scenarios;
  const spot = Array.isArray(s?.spot) ? s.spot : [];
  const vol = Array.isArray(s?.vol) ? s.vol : [];
  const days = Array.isArray(s?.days) && s.days.length ? s.days : [0];
  const keep = select.value;
  select.replaceChildren(
    ...days.map((d, i) => {
      const o = el('option', { text: d === 0 ? 'today' : `in ${d} day${d === 1 ? '' : 's'}` });
      o.value = String(i);
      return o;
    }),
  );
  if (keep && Number(keep) < days.length) select.value = keep;
  const grid = gridOfDay(s, Number(select.value || 0));
  if (!spot.length || !vol.length || !grid.length) {
    table.replaceChildren();
    say('whatif-msg', 'No what-if scenarios (no positions to reprice).');
    return;
  }
  const maxAbs = Math.max(0, ...grid.flat().filter(finite).map(Math.abs));
  const head = el('tr', {}, [
    el('th', { className: 'corner', text: 'IV ↓ · spot →' }),
    // Whole percents without decimals (0.07 × 100 is 7.000000000000001 in doubles)
    ...spot.map((x) =>
      el('th', { className: 'num', text: signedPct(x, Number.isInteger(Math.round(x * 1e6) / 1e4) ? 0 : 1) }),
    ),
  ]);
  const body = vol.map((v, i) =>
    el('tr', {}, [
      el('th', { text: `IV ${signedPct(v)}` }),
      ...spot.map((x, j) => {
        const value = grid[i]?.[j];
        const cell = td(usd0(value), `num heat ${x === 0 && v === 0 ? 'origin' : ''}`);
        cell.style.background = heat(value, maxAbs);
        cell.title = `spot ${signedPct(x, 1)}, IV ${signedPct(v)}: ${usd(value)}`;
        return cell;
      }),
    ]),
  );
  table.replaceChildren(el('thead', {}, [head]), el('tbody', {}, body));
  say('whatif-msg', null);
}

const RISK_PANELS = ['summary-msg', 'var-msg', 'limits-msg', 'failsafes-msg', 'positions-msg', 'whatif-msg'];

function clearRisk(message) {
  for (const id of RISK_PANELS) say(id, message);
  $('net-liq').textContent = '—';
  for (const id of ['risk-at', 'account-detail']) $(id).textContent = '';
  for (const id of ['account-greeks', 'risk-notes', 'limits', 'failsafes', 'whatif']) $(id).replaceChildren();
  $('var').tBodies[0].replaceChildren();
  fillBody('account-positions', [], 9, 'No positions.');
  $('account').classList.remove('alarm');
  say('failsafe-banner', null);
  scenarios = null;
}

async function renderRisk(r) {
  if (!r || typeof r !== 'object') return clearRisk('No risk report yet: the account has not been synced.');
  say('summary-msg', null);
  await guarded('summary-msg', 'the summary', () => renderSummary(r));
  say('var-msg', null);
  await guarded('var-msg', 'the value at risk', () => renderVar(r.var));
  await guarded('limits-msg', 'the limits', () => renderLimits(r.limits));
  await guarded('failsafes-msg', 'the failsafes', () => renderFailsafes(r.failsafes));
  say('positions-msg', null);
  await guarded('positions-msg', 'the positions', () => renderPositions(r.positions));
  scenarios = r.scenarios ?? null;
  await guarded('whatif-msg', 'the what-if grid', () => renderWhatIf());
}

// ---- refresh ----
let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const [history, risk] = await Promise.allSettled([api(`/api/history?days=${HISTORY_DAYS}`), api('/api/risk')]);
    if (history.status === 'fulfilled') {
      await guarded('equity-msg', 'the account history', () => renderHistory(history.value));
    } else {
      const message = `Account history unavailable: ${history.reason?.message ?? history.reason}`;
      for (const [chart, msg] of [
        ['equity-chart', 'equity-msg'],
        ['greeks-chart', 'greeks-msg'],
      ]) {
        clearChart($(chart));
        say(msg, message);
      }
    }
    if (risk.status === 'fulfilled') await guarded('summary-msg', 'the risk report', () => renderRisk(risk.value));
    else clearRisk(`Risk report unavailable: ${risk.reason?.message ?? risk.reason}`);
    $('account-updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  } finally {
    refreshing = false;
  }
}

export function startAccount() {
  $('whatif-day').addEventListener('change', () => void guarded('whatif-msg', 'the what-if grid', renderWhatIf));
  void refresh();
  setInterval(refresh, REFRESH_MS);
}
