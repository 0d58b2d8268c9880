// The deploy folder checked without a container engine or helm (CI has neither): every YAML file
// parses, the image runs the file the build makes, every environment variable a manifest sets is one
// the engine reads (ENGINE_ENV_VARS, the keys of its config schema), the probes ask routes the engine
// serves, the chart's values match their schema and the templates read only values that exist.
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { Ajv } from 'ajv';
import { ENGINE_ENV_VARS, ENGINE_ROLES, loadConfig } from '../../apps/engine/src/config/engine-config.js';
import {
  ROOT,
  at,
  bindSource,
  chartSchema,
  chartSettingsEnv,
  chartValues,
  compose,
  dockerStages,
  engineServices,
  envNames,
  execForm,
  filesUnder,
  hasPath,
  mountOf,
  mounts,
  read,
  readYaml,
  serviceEnv,
  shellAssignments,
  templateEnvNames,
  templates,
  valuePaths,
  type Yaml,
  YAML_OPTIONS,
} from './manifests.js';

/** Written by another part of the deploy work; checked by name, and for existence once present. */
const OWNED_ELSEWHERE = new Set(['deploy/prometheus/alerts.yml', 'deploy/grafana/lethe.json']);
/** The routes the engine's health controller serves (apps/engine/src/health/health.controller.ts). */
const PROBE_ROUTES = ['/healthz', '/readyz'];
const DUMMY_DATABASE_URL = 'postgres://lethe@postgres:5432/lethe';

const known = new Set(ENGINE_ENV_VARS);
const unknownNames = (names: Iterable<string>) => [...names].filter((n) => !known.has(n));

describe('every YAML and JSON file under deploy/', () => {
  const files = filesUnder('deploy');
  // Helm templates are Go templates that render to YAML; they are checked below.
  const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('deploy/helm/lethe/templates/'));

  it('finds the manifests', () => {
    expect(yamlFiles).toEqual(
      expect.arrayContaining([
        'deploy/compose.yaml',
        'deploy/prometheus/prometheus.yml',
        'deploy/helm/lethe/Chart.yaml',
        'deploy/helm/lethe/values.yaml',
        'deploy/grafana/provisioning/datasources/prometheus.yaml',
        'deploy/grafana/provisioning/dashboards/lethe.yaml',
      ]),
    );
  });

  it.each(yamlFiles)('%s parses as YAML without errors, warnings or duplicate keys', (file) => {
    const docs = parseAllDocuments(read(file), { ...YAML_OPTIONS, strict: true });
    const list = Array.isArray(docs) ? docs : [docs];
    expect(list.flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
    expect(list.flatMap((d) => d.warnings.map((e) => e.message))).toEqual([]);
  });

  it.each(files.filter((f) => f.endsWith('.json')))('%s parses as JSON', (file) => {
    expect(() => JSON.parse(read(file))).not.toThrow();
  });

  it.each(files.filter((f) => f.startsWith('deploy/helm/lethe/templates/')))('%s opens and closes every {{ }} action', (file) => {
    const text = read(file);
    expect((text.match(/\{\{/g) ?? []).length).toBe((text.match(/\}\}/g) ?? []).length);
  });
});

describe('the image (deploy/Dockerfile)', () => {
  const stages = dockerStages();
  const runtime = stages.at(-1)!;
  const last = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword).at(-1);
  const buildConfig = JSON.parse(read('tsconfig.build.json'));
  // The compiler maps <rootDir>/x.ts to <outDir>/x.js: the engine's entry point in the build output.
  const mainSource = 'apps/engine/src/main.ts';
  const mainBuilt = posix.join(buildConfig.compilerOptions.outDir, posix.relative(buildConfig.compilerOptions.rootDir, mainSource)).replace(/\.ts$/, '.js');

  it('builds in one stage and runs in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0].instructions.some((i) => i.keyword === 'RUN' && i.args.includes('npm run build'))).toBe(true);
    // Production dependencies only in the image that runs.
    expect(runtime.instructions.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
  });

  it('runs as a numeric non-root user', () => {
    const user = last('USER')?.args ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
  });

  it(`starts the engine's built entry point (${mainSource} → ${mainBuilt}), which the runtime stage copies from the build`, () => {
    expect(existsSync(join(ROOT, mainSource))).toBe(true);
    expect(read('package.json')).toContain(`node ${mainBuilt}`);
    const command = [...execForm(last('ENTRYPOINT')!.args), ...execForm(last('CMD')!.args)];
    expect(command).toEqual(['node', mainBuilt]);
    const workdir = last('WORKDIR')!.args;
    const copied = runtime.instructions
      .filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from='))
      .map((i) => i.args.split(/\s+/).at(-1)!)
      .map((to) => posix.relative(workdir, posix.resolve(workdir, to)));
    expect(copied.some((dir) => mainBuilt.startsWith(`${dir}/`))).toBe(true);
    // After `npm run build`, the file is there.
    if (existsSync(join(ROOT, buildConfig.compilerOptions.outDir, 'apps'))) expect(existsSync(join(ROOT, mainBuilt))).toBe(true);
  });

  it("copies what the compiler reads: tsconfig.build.json, the config it extends, and its source folders (but the benchmarks)", () => {
    const copies = stages[0].instructions.filter((i) => i.keyword === 'COPY').flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(copies).toEqual(expect.arrayContaining(['tsconfig.build.json', posix.normalize(buildConfig.extends), 'package.json', 'package-lock.json']));
    for (const folder of (buildConfig.include as string[]).filter((f) => f !== 'test/bench')) expect(copies).toContain(folder);
  });

  it('copies into the runtime stage only files that exist, and the `lethe` command beside the engine', () => {
    const sources = runtime.instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from=')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const source of sources) expect(existsSync(join(ROOT, source))).toBe(true);
    expect(sources).toContain('bin');
  });

  it('checks its health with node and a script it contains', () => {
    const healthcheck = last('HEALTHCHECK')!.args;
    const words = execForm(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim());
    expect(words[0]).toBe('node');
    expect(existsSync(join(ROOT, words[1]))).toBe(true);
    expect(runtime.instructions.some((i) => i.keyword === 'COPY' && i.args.split(/\s+/)[0] === words[1])).toBe(true);
    expect(read(words[1])).toContain("path: '/healthz'");
  });

  it('sets only environment variables the engine reads, with values it accepts', () => {
    const env = runtime.instructions.filter((i) => i.keyword === 'ENV');
    const names = env.flatMap((i) => envNames(i.args));
    expect(unknownNames(names)).toEqual([]);
    const values = Object.fromEntries(env.flatMap((i) => [...i.args.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1], m[2]])));
    expect(() => loadConfig(values)).not.toThrow();
  });

  it('leaves dependencies, build output, git data and local data out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.git', '.lethe']));
  });
});

describe('the compose stack (deploy/compose.yaml)', () => {
  const { services } = compose();
  const engines = engineServices();
  const dockerCmd = execForm(dockerStages().at(-1)!.instructions.filter((i) => i.keyword === 'CMD').at(-1)!.args);

  it('runs the engine split by role: one instance with the api, one with the processors and the poller', () => {
    const running = engines.filter(([, s]) => s.command?.[0] === dockerCmd[0]);
    const roles = running.map(([, s]) => serviceEnv(s).LETHE_ROLES).sort();
    expect(roles).toEqual(['api', 'processors,poller']);
    expect(new Set(roles.flatMap((r) => r.split(',')))).toEqual(new Set(ENGINE_ROLES));
  });

  it.each(engineServices().map(([name]) => name))('%s sets only environment variables the engine reads, with values it accepts', (name) => {
    const service = services[name];
    const env = serviceEnv(service);
    const assigned = shellAssignments(service.entrypoint ?? []);
    expect(unknownNames([...Object.keys(env), ...assigned])).toEqual([]);
    // DATABASE_URL comes from the secrets volume at start (the entrypoint): a stand-in here.
    expect(assigned).toContain('DATABASE_URL');
    expect(() => loadConfig({ ...env, DATABASE_URL: DUMMY_DATABASE_URL })).not.toThrow();
  });

  it("migrates once with the `lethe` command before the engines start, which wait for it", () => {
    const migrate = services.migrate;
    expect(migrate.command).toEqual(['bin/lethe.js', 'migrate']);
    expect(read('bin/lethe.js')).toContain("'dist/apps/cli/src/main.js'");
    expect(existsSync(join(ROOT, 'apps/cli/src/main.ts'))).toBe(true);
    expect(migrate.depends_on.postgres.condition).toBe('service_healthy');
    for (const [name, s] of engines.filter(([n]) => n !== 'migrate')) {
      expect([name, s.depends_on?.migrate?.condition]).toEqual([name, 'service_completed_successfully']);
    }
  });

  it('checks the health of every engine instance (each listens, whatever its roles) on a route the engine serves, and not of the one-off migration', () => {
    const running = engines.filter(([, s]) => s.command?.[0] === dockerCmd[0]);
    expect(running.length).toBe(2);
    for (const [name, s] of engines) {
      if (running.some(([n]) => n === name)) {
        expect([name, s.healthcheck.test]).toEqual([name, ['CMD', 'node', 'deploy/healthcheck.mjs']]);
        // On the stack's network, where the check and Prometheus ask.
        expect([name, serviceEnv(s).LETHE_HOST]).toEqual([name, '0.0.0.0']);
      } else {
        expect([name, s.healthcheck?.disable]).toEqual([name, true]);
      }
    }
    const script = read('deploy/healthcheck.mjs');
    expect(script).toMatch(new RegExp(`path: '(${PROBE_ROUTES.join('|')})'`));
    // Nothing in it skips an instance for its roles.
    expect(script).not.toContain('env.LETHE_ROLES');
  });

  it('mounts files that exist (the alert rules and dashboard at their agreed paths)', () => {
    const sources = Object.values(services).flatMap((s: Yaml) => mounts(s).filter((m) => m.bind).map((m) => bindSource(m.source)));
    for (const path of OWNED_ELSEWHERE) expect(sources).toContain(path);
    const missing = sources.filter((p) => !existsSync(join(ROOT, p)) && !OWNED_ELSEWHERE.has(p));
    expect(missing).toEqual([]);
  });

  it('publishes ports on loopback only', () => {
    const ports = Object.values(services).flatMap((s: Yaml) => s.ports ?? []);
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) expect(String(port)).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('names only volumes it declares', () => {
    const named = Object.values(services).flatMap((s: Yaml) => mounts(s).filter((m) => !m.bind).map((m) => m.source));
    expect(named.filter((v) => !(v in compose().volumes))).toEqual([]);
  });
});

describe('Prometheus and Grafana for the compose stack', () => {
  const { services } = compose();
  const prometheus = readYaml('deploy/prometheus/prometheus.yml');
  const lethe = prometheus.scrape_configs.find((c: Yaml) => c.job_name === 'lethe');

  it('scrapes /metrics of every engine instance, api and worker, at its port, with a bearer token file', () => {
    expect(lethe.metrics_path).toBe('/metrics');
    const targets: string[] = lethe.static_configs.flatMap((c: Yaml) => c.targets);
    const dockerCmd = execForm(dockerStages().at(-1)!.instructions.filter((i) => i.keyword === 'CMD').at(-1)!.args);
    const running = engineServices().filter(([, s]) => s.command?.[0] === dockerCmd[0]);
    expect(running.map(([, s]) => serviceEnv(s).LETHE_ROLES).sort()).toEqual(['api', 'processors,poller']);
    expect(targets.sort()).toEqual(running.map(([name, s]) => `${name}:${serviceEnv(s).PORT}`).sort());
    // Prometheus starts after them.
    for (const [name] of running) expect([name, services.prometheus.depends_on?.[name]?.condition]).toEqual([name, 'service_started']);
    expect(lethe.authorization.type).toBe('Bearer');
    // The token file is on a volume Prometheus mounts.
    expect(mountOf(services.prometheus, lethe.authorization.credentials_file)).toBeDefined();
  });

  it('loads the alert rules from the file compose mounts there', () => {
    for (const file of prometheus.rule_files) {
      const mount = mountOf(services.prometheus, file);
      expect(mount?.rest).toBe('');
      expect(bindSource(mount!.mount.source)).toBe('deploy/prometheus/alerts.yml');
    }
    expect(mountOf(services.prometheus, '/etc/prometheus/prometheus.yml')?.mount.source).toBe('./prometheus/prometheus.yml');
  });

  it('gives Grafana the stack Prometheus as data source and the dashboard folder compose mounts', () => {
    const provisioning = mountOf(services.grafana, '/etc/grafana/provisioning');
    expect(bindSource(provisioning!.mount.source)).toBe('deploy/grafana/provisioning');
    const datasources = readYaml('deploy/grafana/provisioning/datasources/prometheus.yaml').datasources;
    const url = new URL(datasources[0].url);
    expect(url.hostname in services).toBe(true);
    expect(url.hostname).toBe('prometheus');
    const dashboards = readYaml('deploy/grafana/provisioning/dashboards/lethe.yaml').providers[0].options.path;
    const dashboard = mounts(services.grafana).find((m) => m.bind && bindSource(m.source) === 'deploy/grafana/lethe.json');
    expect(posix.dirname(dashboard!.target)).toBe(dashboards);
  });
});

describe('the Helm chart (deploy/helm/lethe)', () => {
  const values = chartValues();
  const schema = chartSchema();
  const all = templates();
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  const errors = (v: unknown) => (validate(v) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`));
  const dockerCmd = execForm(dockerStages().at(-1)!.instructions.filter((i) => i.keyword === 'CMD').at(-1)!.args);

  /** values.yaml with every secret filled in as an operator would (fresh random ones). */
  function filled(): Yaml {
    const v = structuredClone(values);
    v.database.url = 'postgres://lethe:secret@db.internal:5432/lethe?sslmode=verify-full';
    v.secrets.masterKey = randomBytes(32).toString('base64');
    v.secrets.signingKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    for (const role of Object.keys(v.secrets.tokens)) v.secrets.tokens[role] = randomBytes(32).toString('base64url');
    return v;
  }

  it('is a chart of apiVersion v2 named lethe with a semantic version', () => {
    const chart = readYaml('deploy/helm/lethe/Chart.yaml');
    expect(chart).toMatchObject({ apiVersion: 'v2', name: 'lethe' });
    expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  it('has values that match values.schema.json, as they are and with the secrets filled in', () => {
    expect(errors(values)).toEqual([]);
    expect(errors(filled())).toEqual([]);
  });

  it.each([
    ['a master key that is not 32 bytes', (v: Yaml) => (v.secrets.masterKey = randomBytes(16).toString('base64'))],
    ['a token with a comma (LETHE_TOKENS separates entries with commas)', (v: Yaml) => (v.secrets.tokens.admin = `${'a'.repeat(40)},b`)],
    ['a short token', (v: Yaml) => (v.secrets.tokens.operator = 'short')],
    ['a database URL that is not postgres://', (v: Yaml) => (v.database.url = 'mysql://db/lethe')],
    ['a concurrency the engine refuses', (v: Yaml) => (v.settings.deadlineConcurrency = 0)],
    ['an unknown value (a typo)', (v: Yaml) => (v.api.replica = 3)],
  ])('rejects %s', (_name, spoil) => {
    const v = filled();
    spoil(v);
    expect(errors(v)).not.toEqual([]);
  });

  it('reads in its templates only values that exist in values.yaml', () => {
    const paths = Object.entries(all).flatMap(([file, text]) => valuePaths(text).map((p) => [file, p]));
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter(([, p]) => !hasPath(values, p))).toEqual([]);
  });

  it('sets only environment variables the engine reads', () => {
    const names = Object.values(all).flatMap(templateEnvNames);
    expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'LETHE_MASTER_KEY', 'LETHE_SIGNING_KEY', 'LETHE_TOKENS', 'LETHE_ROLES']));
    expect(unknownNames(names)).toEqual([]);
  });

  it("gives the engine settings it accepts; the schema's bounds are inside the engine's (the settings' are the engine's)", () => {
    const settings = chartSettingsEnv();
    expect(Object.keys(settings).length).toBeGreaterThanOrEqual(5);
    const env = Object.fromEntries(Object.entries(settings).map(([name, path]) => [name, String(at(values, path))]));
    expect(() => loadConfig({ ...env, DATABASE_URL: DUMMY_DATABASE_URL })).not.toThrow();
    for (const [name, path] of Object.entries(settings)) {
      const rule = at(schema.properties, path.split('.').join('.properties.')) as { minimum?: number; maximum?: number };
      if (rule.minimum === undefined || rule.maximum === undefined) continue;
      const accepts = (n: number) => {
        try {
          loadConfig({ [name]: String(n) });
          return true;
        } catch {
          return false;
        }
      };
      expect([name, accepts(rule.minimum), accepts(rule.maximum)]).toEqual([name, true, true]);
      // settings.* mirror the engine's rules exactly (the ports, checked below, may be stricter: 0, any free port, makes no Service).
      if (path.startsWith('settings.')) expect([name, accepts(rule.minimum - 1), accepts(rule.maximum + 1)]).toEqual([name, false, false]);
    }
  });

  it.each([
    ['deployment-api.yaml', 'api', 'api'],
    ['deployment-worker.yaml', 'processors,poller', 'worker'],
  ])('%s runs LETHE_ROLES=%s listening on its port, with startup and liveness on /healthz and readiness on /readyz', (file, roles, part) => {
    const text = all[file];
    const probe = (kind: string) => new RegExp(`${kind}:\\s*\\n\\s*httpGet:\\s*\\n\\s*path: (\\S+)\\s*\\n\\s*port: (\\S+)`).exec(text)?.slice(1);
    expect([probe('startupProbe'), probe('livenessProbe'), probe('readinessProbe')]).toEqual([
      ['/healthz', 'http'],
      ['/healthz', 'http'],
      ['/readyz', 'http'],
    ]);
    // The port the probes ask is the one the engine is told to listen on (PORT).
    expect(text).toContain(`"roles" "${roles}" "port" .Values.${part}.port)`);
    expect(text).toMatch(new RegExp(`- name: http\\s*\\n\\s*containerPort: \\{\\{ \\.Values\\.${part}\\.port \\}\\}`));
    expect(all['_helpers.tpl']).toMatch(/- name: PORT\s*\n\s*value: \{\{ \.port \| quote \}\}/);
    const paths = Object.values(all).flatMap((t) => [...t.matchAll(/httpGet:\s*\n\s*path: (\S+)/g)].map((m) => m[1]));
    expect(paths.filter((p) => !PROBE_ROUTES.includes(p))).toEqual([]);
  });

  it("gives each Deployment's port bounds the engine accepts for PORT", () => {
    for (const part of ['api', 'worker']) {
      const rule = schema.properties[part].properties.port as { minimum: number; maximum: number };
      expect(schema.properties[part].required).toContain('port');
      for (const n of [rule.minimum, rule.maximum, values[part].port]) expect(() => loadConfig({ PORT: String(n) })).not.toThrow();
    }
  });

  it('puts every pod, api and worker, behind a Service on its http port, and the ServiceMonitor selects both Services', () => {
    const services = all['service.yaml'].split(/^---$/m);
    expect(services).toHaveLength(2);
    const [api, worker] = services;
    expect(api).toContain('(dict "root" . "component" "api")');
    expect(worker).toContain('(dict "root" . "component" "worker")');
    expect(worker).toMatch(/clusterIP: None/);
    // A worker failing /readyz is still scraped.
    expect(worker).toMatch(/publishNotReadyAddresses: true/);
    for (const text of services) expect(text).toMatch(/- name: http\s*\n\s*port: .*\n\s*targetPort: http/);
    for (const [text, component] of [[api, 'api'], [worker, 'worker']]) expect(text).toContain(`app.kubernetes.io/component: ${component}`);
    const monitor = all['servicemonitor.yaml'];
    expect(monitor).toMatch(/key: app\.kubernetes\.io\/component\s*\n\s*operator: In\s*\n\s*values: \[api, worker\]/);
    expect(monitor).toMatch(/- port: http\s*\n\s*path: \/metrics/);
  });

  it('starts the image with the same command as the Dockerfile', () => {
    for (const file of ['deployment-api.yaml', 'deployment-worker.yaml']) {
      const args = /args: (\[.*\])/.exec(all[file])?.[1];
      expect([file, JSON.parse(args!)]).toEqual([file, dockerCmd]);
    }
  });

  it("runs pods as the image's non-root user, on a read-only root file system with a writable /tmp", () => {
    const uid = Number(dockerStages().at(-1)!.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args.split(':')[0]);
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid });
    expect(values.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(all['_helpers.tpl']).toMatch(/- name: tmp\s*\n\s*mountPath: \/tmp/);
    for (const part of ['api', 'worker']) expect(values[part].resources).toMatchObject({ requests: expect.any(Object), limits: expect.any(Object) });
  });

  it('reads from its Secret only keys the chart writes there (or documents for an existing Secret)', () => {
    const referenced = new Set(Object.values(all).flatMap((t) => [...t.matchAll(/secretKeyRef:\s*\n\s*name: .*\n\s*key: (\S+)/g)].map((m) => m[1])));
    referenced.add(/key: (ops-reader-token)/.exec(all['servicemonitor.yaml'])![1]);
    const written = new Set([...all['secret.yaml'].matchAll(/^ {2}([a-z-]+): \{\{/gm)].map((m) => m[1]));
    expect([...referenced].filter((k) => !written.has(k))).toEqual([]);
    const documented = read('deploy/helm/lethe/values.yaml');
    for (const key of written) expect(documented).toContain(key);
  });

  it('includes only named templates it defines', () => {
    const defined = Object.values(all).flatMap((t) => [...t.matchAll(/\{\{-? define "([^"]+)"/g)].map((m) => m[1]));
    expect(new Set(defined).size).toBe(defined.length);
    const included = Object.values(all).flatMap((t) => [...t.matchAll(/include "([^"]+)"/g)].map((m) => m[1]));
    expect(included.filter((name) => !defined.includes(name))).toEqual([]);
  });

  describe('extra environment, volumes and init containers (api and worker)', () => {
    const EXAMPLE = 'deploy/helm/examples/adapters.values.yaml';
    const example = readYaml(EXAMPLE);
    /** filled() with the example's api and worker values laid over it (as `helm -f a -f b` merges maps). */
    const withExample = (): Yaml => {
      const v = filled();
      for (const part of ['api', 'worker']) Object.assign(v[part], structuredClone(example[part]));
      return v;
    };

    it.each(['api', 'worker'])('%s passes extraEnv, extraEnvFrom, extraVolumes, extraVolumeMounts and extraInitContainers into its pod', (part) => {
      const text = all[`deployment-${part}.yaml`];
      expect(text).toMatch(new RegExp(`env:\\s*\\n.*include "lethe\\.env".*\\n\\s*\\{\\{- with \\.Values\\.${part}\\.extraEnv \\}\\}`));
      expect(text).toMatch(new RegExp(`\\{\\{- with \\.Values\\.${part}\\.extraEnvFrom \\}\\}\\s*\\n\\s*envFrom:`));
      expect(text).toMatch(new RegExp(`include "lethe\\.volumeMounts".*\\n\\s*\\{\\{- with \\.Values\\.${part}\\.extraVolumeMounts \\}\\}`));
      expect(text).toMatch(new RegExp(`include "lethe\\.volumes".*\\n\\s*\\{\\{- with \\.Values\\.${part}\\.extraVolumes \\}\\}`));
      expect(text).toMatch(new RegExp(`\\{\\{- with \\.Values\\.${part}\\.extraInitContainers \\}\\}\\s*\\n\\s*initContainers:`));
      expect(values[part]).toMatchObject({ extraEnv: [], extraEnvFrom: [], extraVolumes: [], extraVolumeMounts: [], extraInitContainers: [] });
    });

    it(`${EXAMPLE} matches the schema and sets, in both parts, only settings the engine reads, with values it accepts`, () => {
      expect(errors(withExample())).toEqual([]);
      for (const part of ['api', 'worker']) {
        const env: Yaml[] = example[part].extraEnv;
        expect(env.length).toBeGreaterThan(3);
        expect(unknownNames(env.map((e) => e.name))).toEqual([]);
        const literal = Object.fromEntries(env.filter((e) => 'value' in e).map((e) => [e.name, e.value]));
        expect(() => loadConfig({ ...literal, DATABASE_URL: DUMMY_DATABASE_URL })).not.toThrow();
      }
    });

    it(`${EXAMPLE} mounts only volumes the pod has, and the files its settings name lie on a mount`, () => {
      const chartVolumes = [...all['_helpers.tpl'].matchAll(/^- name: ([a-z0-9-]+)\s*\n\s*(?:emptyDir|secret):/gm)].map((m) => m[1]);
      for (const part of ['api', 'worker']) {
        const volumes = new Set([...chartVolumes, ...example[part].extraVolumes.map((v: Yaml) => v.name)]);
        const mountsOf = (list: Yaml[]) => list.map((m) => m.name).filter((n) => !volumes.has(n));
        expect(mountsOf(example[part].extraVolumeMounts)).toEqual([]);
        for (const init of example[part].extraInitContainers) expect(mountsOf(init.volumeMounts)).toEqual([]);
        const files = example[part].extraEnv.filter((e: Yaml) => /_FILE$/.test(e.name)).map((e: Yaml) => e.value as string);
        expect(files.length).toBeGreaterThan(0);
        for (const file of files) expect(example[part].extraVolumeMounts.some((m: Yaml) => file.startsWith(`${m.mountPath}/`))).toBe(true);
      }
    });

    it.each([
      ['an extraEnv entry with neither value nor valueFrom', (v: Yaml) => v.api.extraEnv.push({ name: 'LETHE_PROBE' })],
      ['an extraEnv entry with both value and valueFrom', (v: Yaml) => v.worker.extraEnv.push({ name: 'LETHE_PROBE', value: 'http', valueFrom: {} })],
      ['an extraEnv entry with an unknown key (a typo)', (v: Yaml) => v.api.extraEnv.push({ name: 'LETHE_PROBE', valu: 'http' })],
      ['an extraEnvFrom entry that names no ConfigMap or Secret', (v: Yaml) => v.api.extraEnvFrom.push({ prefix: 'X_' })],
      ['an extraVolumeMount without a mountPath', (v: Yaml) => v.worker.extraVolumeMounts.push({ name: 'probe' })],
    ])('rejects %s', (_name, spoil) => {
      const v = filled();
      spoil(v);
      expect(errors(v)).not.toEqual([]);
    });
  });

  it('rotates the master key with a Job (helm/examples) that runs the `lethe` command with the release\'s Secret and the new key as an owner-only file', () => {
    const job = readYaml('deploy/helm/examples/master-key-rotate-job.yaml');
    expect(job.kind).toBe('Job');
    const pod = job.spec.template.spec;
    const [container] = pod.containers;
    const script: string = container.command.at(-1);
    const rotate = /exec node (\S+) master-key rotate --new-key-file (\S+)$/.exec(script);
    expect(rotate).not.toBeNull();
    const [, bin, keyFile] = rotate!;
    expect(existsSync(join(ROOT, bin))).toBe(true);
    expect(read('apps/cli/src/run-cli.ts')).toContain('master-key rotate --new-key-file <path>');
    // The copy the command reads is made 0400 on a memory volume, from the new key's Secret.
    expect(script).toContain(`chmod 0400 ${keyFile}`);
    const mountFor = (path: string) => container.volumeMounts.find((m: Yaml) => path.startsWith(`${m.mountPath}/`));
    const volume = (name: string) => pod.volumes.find((v: Yaml) => v.name === name);
    expect(volume(mountFor(keyFile).name).emptyDir.medium).toBe('Memory');
    const copied = /cp (\S+) /.exec(script)![1];
    expect(volume(mountFor(copied).name).secret.secretName).toBe('lethe-master-key-new');
    // The engine's settings, the current key among them, from the chart's Secret by the keys it writes.
    const env: Yaml[] = container.env;
    expect(unknownNames(env.map((e) => e.name))).toEqual([]);
    expect(env.map((e) => e.name)).toEqual(expect.arrayContaining(['DATABASE_URL', 'LETHE_MASTER_KEY']));
    const written = new Set([...all['secret.yaml'].matchAll(/^ {2}([a-z-]+): \{\{/gm)].map((m) => m[1]));
    const refs = env.filter((e) => e.valueFrom).map((e) => e.valueFrom.secretKeyRef);
    expect(refs.filter((r) => r.name !== 'lethe-secrets' || !written.has(r.key))).toEqual([]);
    expect(pod.securityContext).toMatchObject({ runAsUser: values.podSecurityContext.runAsUser, runAsNonRoot: true });
  });

  it('keeps a disruption budget for each Deployment', () => {
    expect(all['pdb.yaml'].match(/kind: PodDisruptionBudget/g)).toHaveLength(2);
    expect(values.api.pdb.enabled && values.worker.pdb.enabled).toBe(true);
  });
});

describe("the README's Configuration table", () => {
  const readme = read('README.md');
  const start = readme.indexOf('\n## Configuration\n');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  /** The names in the first cell of each row (`A`, or `A`, `B` for settings documented together). */
  const documented = section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]));

  it('lists every setting the engine reads (ENGINE_ENV_VARS), so deployments can rely on it', () => {
    expect(start).toBeGreaterThan(0);
    expect(ENGINE_ENV_VARS.filter((name) => !documented.includes(name))).toEqual([]);
  });

  it('lists nothing the engine does not read, each once', () => {
    expect(unknownNames(documented)).toEqual([]);
    expect(documented.filter((name, i) => documented.indexOf(name) !== i)).toEqual([]);
  });
});

it('names, anywhere under deploy/ (comments and examples included), only LETHE_ settings the engine reads', () => {
  const text = filesUnder('deploy').filter((f) => /\.(ya?ml|json|md|tpl|txt|mjs)$|Dockerfile$/.test(f));
  const named = text.flatMap((f) => [...read(f).matchAll(/\bLETHE_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => [f, m[0]]));
  expect(named.length).toBeGreaterThan(20);
  expect(named.filter(([, name]) => !known.has(name))).toEqual([]);
});

it('the container files name the same unprivileged user id', () => {
  const uid = dockerStages().at(-1)!.instructions.filter((i) => i.keyword === 'USER').at(-1)!.args.split(':')[0];
  expect(readFileSync(join(ROOT, 'deploy/compose/init-secrets.mjs'), 'utf8')).toContain(`lethe: ${uid},`);
});

it('deploy/README.md links only to files in the repository', () => {
  const links = [...read('deploy/README.md').matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(5);
  for (const link of links) {
    expect(link).not.toMatch(/^[a-z]+:|^\/\//i);
    const path = posix.join('deploy', link);
    if (!OWNED_ELSEWHERE.has(path)) expect([link, existsSync(join(ROOT, path))]).toEqual([link, true]);
  }
});
