// Proves deploy/grafana/dashboards/legwork.json against what Legwork exports (Grafana cannot run here): every PromQL
// expression names only metrics /metrics serves (histogram series by their _bucket/_sum/_count names), every panel
// reads the provisioned Prometheus data source, and the account gauges each have a panel.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/http/metrics.js';
import { fakeMetricsApp, sampleRiskReport } from '../support/metrics-app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dashboard = JSON.parse(readFileSync(`${ROOT}deploy/grafana/dashboards/legwork.json`, 'utf8')) as Record<
  string,
  unknown
>;

/** Every value of `key` anywhere in the JSON, with the path it was found at. */
function valuesOf(node: unknown, key: string, path = '$'): { path: string; value: unknown }[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => valuesOf(n, key, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => [
    ...(k === key ? [{ path: `${path}.${k}`, value: v }] : []),
    ...valuesOf(v, key, `${path}.${k}`),
  ]);
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects: identifiers that are not functions or aggregations (followed by a
 * parenthesis), keywords, label names (inside {…} or a by/without/on/ignoring/group_* list), strings, ranges or
 * Grafana variables.
 */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = [...bare.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)(\s*\()?/g)]
    .filter(([, name, call]) => !call && !KEYWORDS.has(name!.toLowerCase()))
    .map(([, name]) => name!);
  return [...new Set(names)];
}

/** The metric families of the exposition (from its TYPE lines): name → type. */
async function families(): Promise<Map<string, string>> {
  const text = await createMetrics(fakeMetricsApp(), { riskSource: async () => sampleRiskReport() }).metrics();
  return new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => [name!, type!]));
}

/** Every series name /metrics can serve: each family's name, and a histogram's or summary's suffixed series. */
async function exportedNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const [name, type] of await families()) {
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(`${name}${s}`);
  }
  return names;
}

const expressions = valuesOf(dashboard, 'expr').map(({ path, value }) => ({ path, expr: String(value) }));

describe('metricNames', () => {
  it('finds the metrics of an expression and nothing else', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, operation) (rate(legwork_broker_request_duration_seconds_bucket{job="x"}[$__rate_interval])))',
      ),
    ).toEqual(['legwork_broker_request_duration_seconds_bucket']);
    expect(metricNames('a_total / on(instance) group_left(version) b_info > bool 1e3 offset 5m')).toEqual([
      'a_total',
      'b_info',
    ]);
    expect(metricNames('legwork_account_greek{greek=~"theta|vega"} - max_over_time(legwork_nope[$__range])')).toEqual([
      'legwork_account_greek',
      'legwork_nope',
    ]);
  });
});

describe('the Grafana dashboard', () => {
  it('is a provisioned dashboard (uid, title, panels) with PromQL in its panels', () => {
    expect(dashboard).toMatchObject({ uid: 'legwork', title: 'Legwork' });
    expect(expressions.length).toBeGreaterThan(20);
    for (const { path, expr } of expressions) expect(metricNames(expr).length, path).toBeGreaterThan(0);
  });

  it('every PromQL expression names only metrics Legwork exports', async () => {
    const exported = await exportedNames();
    // Sanity of the reading: the existing metrics, the histogram's series and the account gauges are all there
    expect([...exported]).toEqual(
      expect.arrayContaining([
        'legwork_trading_state',
        'legwork_broker_requests_total',
        'legwork_broker_request_duration_seconds_bucket',
        'legwork_account_net_liq_dollars',
        'process_cpu_seconds_total',
      ]),
    );
    const unknown = expressions.flatMap(({ path, expr }) =>
      metricNames(expr)
        .filter((n) => !exported.has(n))
        .map((n) => `${n} (${path}: ${expr})`),
    );
    expect(unknown).toEqual([]);
  });

  it('shows every account gauge and every Legwork metric', async () => {
    const used = expressions.flatMap(({ expr }) => metricNames(expr));
    const legwork = [...(await families()).keys()].filter((n) => n.startsWith('legwork_'));
    expect(legwork.length).toBeGreaterThan(15);
    // A family is shown when an expression names it or one of its series (a histogram's _bucket)
    const shown = (family: string) => used.some((n) => n === family || n.startsWith(`${family}_`));
    expect(legwork.filter((family) => !shown(family))).toEqual([]);
  });

  it('every panel reads the data source Grafana is provisioned with', () => {
    const provisioned = parse(
      readFileSync(`${ROOT}deploy/grafana/provisioning/datasources/prometheus.yaml`, 'utf8'),
    ) as { datasources: { uid: string; type: string; url: string }[] };
    const [source] = provisioned.datasources;
    expect(source).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const refs = valuesOf(dashboard, 'datasource');
    expect(refs.length).toBeGreaterThan(expressions.length);
    for (const { path, value } of refs) expect(value, path).toEqual({ type: 'prometheus', uid: source!.uid });
  });
});
