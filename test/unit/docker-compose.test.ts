// Proves docker-compose.yml (Docker cannot run here): the services exist with the right images and commands, every
// Legwork variable is one env.ts knows (or the venue's VENUE_*), dependencies wait for health checks, no secret is
// hard-coded, and the monitoring profile (Prometheus, Grafana) is wired to its files under deploy/ and to the api.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/env.js';
import { command, copyArgs, readDockerfile, stageSteps, type Step } from '../support/dockerfile.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { environment?: string; file?: string }>;
};
interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  stop_grace_period?: string;
  profiles?: string[];
  ports?: string[];
  secrets?: string[];
}

const ROLES = ['reconcile', 'monitor', 'execute', 'exit', 'scan'] as const;
const LEGWORK = ['api', ...ROLES] as const;
const services = compose.services;

function schemaKeys(): string[] {
  const body =
    /const envSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(readFileSync(`${ROOT}src/config/env.ts`, 'utf8'))?.[1] ??
    '';
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
}

/** Resolves ${VAR}, ${VAR:-default} and ${VAR:?message} the way docker compose does, with an empty environment. */
function interpolate(value: string, env: Record<string, string> = {}): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    if (env[name]) return env[name];
    if (op === '-') return arg ?? '';
    if (op === '?') throw new Error(`${name}: ${arg}`);
    return '';
  });
}

describe('docker-compose.yml', () => {
  it('has redis, postgres (health checks, volumes), the venue, the api and one service per worker role', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['redis', 'postgres', 'venue', ...LEGWORK]));
    expect(services['redis']!.image).toMatch(/^redis:7/);
    expect(services['postgres']!.image).toMatch(/^postgres:16/);
    for (const s of ['redis', 'postgres']) {
      expect(services[s]!.healthcheck?.test.join(' '), s).toMatch(/redis-cli ping|pg_isready/);
      expect(services[s]!.volumes?.length, s).toBeGreaterThan(0);
    }
    expect(Object.keys(compose.volumes ?? {})).toEqual(expect.arrayContaining(['redis-data', 'pg-data']));
  });

  it("the venue runs from the Dockerfile's venue target (its default command) on 0.0.0.0:4100 with a health check", () => {
    const venue = services['venue']!;
    expect(venue.build).toEqual({ context: '.', target: 'venue' });
    expect(venue.image).toBe('legwork-venue:local');
    expect(venue.command).toBeUndefined();
    expect(venue.environment).toMatchObject({ VENUE_HOST: '0.0.0.0', VENUE_PORT: '4100' });
    expect(venue.healthcheck?.test.join(' ')).toContain('/__sim/state');
  });

  it('api and workers run `node bin/legwork.mjs worker ROLE` from the image against the venue, Postgres and Redis', () => {
    for (const name of LEGWORK) {
      const s = services[name]!;
      expect(s.build, name).toEqual({ context: '.', target: 'legwork' });
      expect(s.image, name).toBe('legwork:local');
      expect(s.command, name).toEqual(['node', 'bin/legwork.mjs', 'worker', name]);
      const env = Object.fromEntries(
        Object.entries(s.environment ?? {}).map(([k, v]) => [
          k,
          interpolate(String(v), { LEGWORK_ADMIN_PASSWORD: 'x' }),
        ]),
      );
      expect(env, name).toMatchObject({
        TT_ENV: 'sim',
        LEGWORK_VENUE_URL: 'http://venue:4100',
        DATABASE_URL: 'postgres://legwork:legwork@postgres:5432/legwork',
        REDIS_URL: 'redis://redis:6379',
      });
      // The environment as compose resolves it is a valid Legwork configuration
      expect(() => loadConfig(env), name).not.toThrow();
      // Longer than runWorkers' 25 s grace so an active job is finished or handed back, never SIGKILLed
      expect(Number.parseInt(s.stop_grace_period ?? '10s', 10), name).toBeGreaterThan(25);
    }
    const api = services['api']!;
    expect(api.environment).toMatchObject({
      PORT: '3000',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation syntax, compared literally
      LEGWORK_ADMIN_PASSWORD: '${LEGWORK_ADMIN_PASSWORD:?set LEGWORK_ADMIN_PASSWORD}',
    });
    expect(api.environment?.['LEGWORK_ADMIN_USER']).toBeDefined();
    expect(() => interpolate(String(api.environment!['LEGWORK_ADMIN_PASSWORD']))).toThrow(/set LEGWORK_ADMIN_PASSWORD/);
    expect(api.healthcheck?.test.join(' ')).toContain('/api/health');
  });

  it("every Legwork environment key is one env.ts knows (or the venue's VENUE_*)", () => {
    const known = new Set(schemaKeys());
    for (const name of ['venue', ...LEGWORK]) {
      const unknown = Object.keys(services[name]!.environment ?? {}).filter(
        (k) => !known.has(k) && !k.startsWith('VENUE_'),
      );
      expect(unknown, name).toEqual([]);
    }
  });

  it('depends_on waits for healthy services, and every service has a health check', () => {
    for (const name of LEGWORK) {
      const deps = services[name]!.depends_on ?? {};
      expect(Object.keys(deps).sort(), name).toEqual(['postgres', 'redis', 'venue']);
      for (const [dep, { condition }] of Object.entries(deps)) {
        expect(condition, `${name} → ${dep}`).toBe('service_healthy');
        expect(services[dep]!.healthcheck, dep).toBeDefined();
      }
    }
    for (const [name, s] of Object.entries(services)) expect(s.healthcheck?.test.length, name).toBeGreaterThan(0);
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: the test title names Compose's ${...} syntax
  it('no secret is hard-coded: secret-like values are ${...} references only', () => {
    const secretKey = /PASSWORD|SECRET|TOKEN|WEBHOOK/;
    for (const [name, s] of Object.entries(services)) {
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (secretKey.test(k)) expect(String(v), `${name}.${k}`).toMatch(/^\$\{[A-Z0-9_]+(:[-?][^}]*)?\}$/);
        // Credentials inside URLs come from references too
        const userinfo = /:\/\/[^/@:\s]*:([^@\s]+)@/.exec(String(v))?.[1];
        if (userinfo !== undefined) expect(userinfo, `${name}.${k}`).toMatch(/^\$\{[A-Z0-9_]+(:-[^}]*)?\}$/);
      }
    }
  });
});

describe('docker-compose.yml: monitoring (Prometheus and Grafana)', () => {
  const prometheus = services['prometheus']!;
  const grafana = services['grafana']!;
  /** host path → [container path, mode] of a service's bind mounts (./…); named volumes are left out. */
  const binds = (s: Service) =>
    new Map(
      (s.volumes ?? [])
        .filter((v) => v.startsWith('./'))
        .map((v) => {
          const [host, container, mode] = v.split(':');
          return [host!.slice(2), [container!, mode]] as const;
        }),
    );
  const promConfig = parse(readFileSync(`${ROOT}deploy/prometheus/prometheus.yml`, 'utf8')) as {
    scrape_configs: {
      job_name: string;
      metrics_path?: string;
      static_configs: { targets: string[] }[];
      basic_auth?: { username_file?: string; password_file?: string; username?: string; password?: string };
    }[];
  };

  it('both run pinned images in the monitoring profile, with health checks and data volumes', () => {
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    for (const [name, s] of [
      ['prometheus', prometheus],
      ['grafana', grafana],
    ] as const) {
      expect(s.profiles, name).toEqual(['monitoring']);
      expect(
        s.volumes?.some((v) => /^[a-z-]+-data:/.test(v)),
        name,
      ).toBe(true);
    }
    expect(prometheus.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:9090/-/healthy');
    expect(grafana.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3000/api/health');
    expect(Object.keys(compose.volumes ?? {})).toEqual(expect.arrayContaining(['prometheus-data', 'grafana-data']));
    // Prometheus starts once the api answers, Grafana once Prometheus does
    expect(prometheus.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(grafana.depends_on).toEqual({ prometheus: { condition: 'service_healthy' } });
  });

  it('every published port of every service is bound to 127.0.0.1, and no two share a host port', () => {
    const published = Object.entries(services).flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    expect(published.map(([name]) => name)).toEqual(expect.arrayContaining(['api', 'prometheus', 'grafana']));
    for (const [name, port] of published) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    const hostPorts = published.map(([, p]) => p.split(':')[1]);
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    expect(grafana.ports).toEqual(['127.0.0.1:3001:3000']);
    expect(prometheus.ports).toEqual(['127.0.0.1:9090:9090']);
  });

  it('the files under deploy/ are mounted read-only where each program reads them', () => {
    const p = binds(prometheus);
    expect(p.get('deploy/prometheus/prometheus.yml')).toEqual(['/etc/prometheus/prometheus.yml', 'ro']);
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const g = binds(grafana);
    expect(g.get('deploy/grafana/provisioning')).toEqual(['/etc/grafana/provisioning', 'ro']);
    expect(g.get('deploy/grafana/dashboards')).toEqual(['/etc/grafana/dashboards', 'ro']);
    for (const host of [...p.keys(), ...g.keys()]) expect(existsSync(`${ROOT}${host}`), host).toBe(true);
    // Grafana's dashboard provider reads the folder the dashboards are mounted at
    const providers = parse(readFileSync(`${ROOT}deploy/grafana/provisioning/dashboards/legwork.yaml`, 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers).toEqual([
      expect.objectContaining({ type: 'file', options: expect.objectContaining({ path: '/etc/grafana/dashboards' }) }),
    ]);
    expect(existsSync(`${ROOT}deploy/grafana/dashboards/legwork.json`)).toBe(true);
    expect(existsSync(`${ROOT}deploy/grafana/provisioning/datasources/prometheus.yaml`)).toBe(true);
  });

  it("Prometheus scrapes the api's /metrics on its port, logged in as the api's viewer through compose secrets", () => {
    const [job] = promConfig.scrape_configs;
    expect(promConfig.scrape_configs).toHaveLength(1);
    expect(job!.metrics_path ?? '/metrics').toBe('/metrics');
    expect(job!.static_configs.flatMap((c) => c.targets)).toEqual([`api:${services['api']!.environment!['PORT']}`]);
    // /metrics wants a viewer (or admin) login from anything but loopback (server.ts: requireViewerOrLoopback)
    expect(readFileSync(`${ROOT}src/http/server.ts`, 'utf8')).toMatch(
      /get\('\/metrics', auth\.requireViewerOrLoopback/,
    );
    expect(job!.basic_auth).toEqual({
      username_file: '/run/secrets/legwork_viewer_user',
      password_file: '/run/secrets/legwork_viewer_password',
    });
    expect(prometheus.secrets?.sort()).toEqual(['legwork_viewer_password', 'legwork_viewer_user']);
    expect(compose.secrets).toEqual({
      legwork_viewer_user: { environment: 'LEGWORK_VIEWER_USER' },
      legwork_viewer_password: { environment: 'LEGWORK_VIEWER_PASSWORD' },
    });
    // The same variables make the api's viewer
    expect(services['api']!.environment).toMatchObject({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation syntax, compared literally
      LEGWORK_VIEWER_USER: '${LEGWORK_VIEWER_USER:-}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation syntax, compared literally
      LEGWORK_VIEWER_PASSWORD: '${LEGWORK_VIEWER_PASSWORD:-}',
    });
    // No credential is written in the Prometheus file
    expect(job!.basic_auth?.username).toBeUndefined();
    expect(job!.basic_auth?.password).toBeUndefined();
  });

  it('Grafana: admin password from the environment only, anonymous visitors view, the Legwork dashboard at home', () => {
    expect(grafana.environment).toMatchObject({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation syntax, compared literally
      GF_SECURITY_ADMIN_PASSWORD: '${GRAFANA_ADMIN_PASSWORD:-}',
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: '/etc/grafana/dashboards/legwork.json',
    });
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(`${ROOT}Dockerfile`, 'utf8');
  const stages = readDockerfile(`${ROOT}Dockerfile`);
  const legwork = stageSteps(stages, 'legwork');
  const venue = stageSteps(stages, 'venue');
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    overrides?: Record<string, string>;
    scripts: Record<string, string>;
    workspaces?: string[];
  };
  const installIndex = (steps: readonly Step[]) => steps.findIndex(([k, a]) => k === 'RUN' && /\bnpm ci\b/.test(a));
  /** What the build context holds at the install: the sources of every COPY before it. */
  const copiedBeforeInstall = (steps: readonly Step[]) =>
    steps
      .slice(0, installIndex(steps))
      .filter(([k]) => k === 'COPY')
      .flatMap(([, a]) => copyArgs(a).sources);

  it('builds Node 20 images with JSON logs, Legwork the default (last) target and the venue a target of its own', () => {
    expect(text).toMatch(/^FROM node:20/m);
    expect(text).toMatch(/ENV NODE_ENV=production/);
    expect(text).not.toMatch(/SECRET|TOKEN|PASSWORD/);
    expect(stages.map((s) => s.name)).toEqual(expect.arrayContaining(['venue', 'legwork']));
    expect(stages.at(-1)!.name).toBe('legwork');
    for (const steps of [legwork, venue]) expect(steps.some(([k, a]) => k === 'USER' && a === 'node')).toBe(true);
  });

  it('the install step sees every patch: patches/ is copied before npm ci, which runs the postinstall', () => {
    expect(installIndex(legwork), 'a RUN npm ci step').toBeGreaterThan(0);
    expect(legwork[installIndex(legwork)]![1]).not.toMatch(/--ignore-scripts/);
    expect(pkg.scripts['postinstall']).toBe('patch-package');
    expect(Object.keys(pkg.dependencies)).toContain('patch-package'); // a production install has it
    const copied = copiedBeforeInstall(legwork);
    const patches = readdirSync(`${ROOT}patches`);
    expect(patches.length).toBeGreaterThan(0);
    for (const patch of patches)
      expect(
        copied.some(
          (src) => src === '.' || `patches/${patch}`.startsWith(src.replace(/^\.\//, '').replace(/\/?$/, '')),
        ),
        patch,
      ).toBe(true);
  });

  it('a patched package is pinned to exactly the version its patch was made for', () => {
    // patch-package names a scoped package @scope+name; one Legwork does not depend on directly is pinned by overrides
    const patches = readdirSync(`${ROOT}patches`);
    expect(patches.length).toBeGreaterThan(0);
    for (const patch of patches) {
      const [, file, version] = /^(.+)\+(\d+\.\d+\.\d+)\.patch$/.exec(patch) ?? [];
      expect(file, patch).toBeTruthy();
      const name = file!.startsWith('@') ? file!.replace('+', '/') : file!;
      const pinned = pkg.dependencies[name] ?? pkg.devDependencies[name] ?? pkg.overrides?.[name];
      expect(pinned, `${name} in package.json (dependencies or overrides)`).toBe(version);
    }
  });

  it('Legwork installs production dependencies only, without the venue, and its command starts Legwork', () => {
    const install = legwork[installIndex(legwork)]![1];
    expect(install).toMatch(/--omit=dev/);
    expect(install).toMatch(/--workspaces=false/);
    // Nothing of the venue is in the Legwork image: no COPY of packages/ or of the whole context
    const sources = legwork.filter(([k]) => k === 'COPY').flatMap(([, a]) => copyArgs(a).sources);
    expect(sources.filter((s) => s === '.' || s.startsWith('packages'))).toEqual([]);
    expect(sources).toEqual(expect.arrayContaining(['bin', 'src', 'workers', 'rules']));
    expect(command(legwork)).toEqual(['node', 'bin/legwork.mjs', 'start']);
    expect(Object.keys(pkg.devDependencies)).toEqual(
      expect.arrayContaining(['json-rules-engine', 'pino-pretty', 'vitest', 'typescript']),
    );
  });

  /** Package names that the non-type imports of the .ts/.mjs files under `dirs` load, each with one file loading it. */
  function packagesLoaded(dirs: string[]): Map<string, string> {
    const files = (dir: string): string[] =>
      readdirSync(`${ROOT}${dir}`, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(`${dir}/${e.name}`) : /\.(ts|mjs)$/.test(e.name) ? [`${dir}/${e.name}`] : [],
      );
    const loaded = new Map<string, string>();
    for (const file of dirs.flatMap(files)) {
      const code = readFileSync(`${ROOT}${file}`, 'utf8');
      for (const m of code.matchAll(
        /^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+'([^'.][^']*)'|\bimport\('([^'.][^']*)'\)|target: '([^'.][^']*)'/gm,
      )) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        if (spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        loaded.set(name, file);
      }
    }
    return loaded;
  }
  const venuePkg = JSON.parse(readFileSync(`${ROOT}packages/venue/package.json`, 'utf8')) as {
    name: string;
    private: boolean;
    dependencies: Record<string, string>;
  };

  it('every package the production code loads is a production dependency (pino-pretty only when installed)', () => {
    const loaded = packagesLoaded(['src', 'workers', 'bin']);
    expect([...loaded.keys()]).toEqual(
      expect.arrayContaining(['bullmq', 'ioredis', 'postgres', 'express', '@tastytrade/api', 'yaml', 'pino']),
    );
    // The venue is the workspace package, loaded (optionally) by workers/ only
    const missing = [...loaded]
      .filter(([name]) => !(name in pkg.dependencies) && name !== 'pino-pretty' && name !== venuePkg.name)
      .map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
    expect(loaded.get('pino-pretty'), 'pino-pretty is loaded by the logger').toBe('src/log.ts');
    expect(loaded.get(venuePkg.name)).toMatch(/^workers\//);
  });

  it('the venue image is the workspace packages/venue alone: its install sees its package.json, its imports are its own dependencies', () => {
    expect(pkg.workspaces).toEqual(['packages/*']);
    expect(venuePkg).toMatchObject({ name: '@legwork/venue', private: true });
    expect(venue[installIndex(venue)]![1]).toMatch(
      /--omit=dev.*--workspace=@legwork\/venue.*--include-workspace-root=false/,
    );
    expect(copiedBeforeInstall(venue)).toContain('packages/venue/package.json');
    const sources = venue.filter(([k]) => k === 'COPY').flatMap(([, a]) => copyArgs(a).sources);
    expect(sources.filter((s) => !s.startsWith('packages/venue') && !/^package(-lock)?\.json$/.test(s))).toEqual([]);
    expect(command(venue)).toEqual(['node', '--import', 'tsx', 'packages/venue/src/main.ts']);
    const loaded = packagesLoaded(['packages/venue/src']);
    expect([...loaded.keys()]).toEqual(expect.arrayContaining(['express', 'ws', 'zod', 'yaml', 'pino']));
    const missing = [...loaded]
      .filter(([name]) => !(name in venuePkg.dependencies) && name !== 'pino-pretty')
      .map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
    expect(venuePkg.dependencies['tsx'], 'the venue image runs TypeScript with tsx').toBeTruthy();
    // The same versions as Legwork's, so that npm hoists one copy
    for (const [name, version] of Object.entries(venuePkg.dependencies))
      expect(pkg.dependencies[name], name).toBe(version);
  });
});
