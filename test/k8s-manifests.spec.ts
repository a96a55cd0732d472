import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';

// No cluster answers here, so deploy/k8s is checked offline: each document against the OpenAPI
// schema of its kind (kubernetes-models), unknown fields through the same models' TypeScript
// types (as `kubectl apply` refuses them), and the Deployments against the apps they run.
const root = join(__dirname, '..');
const k8s = join(root, 'deploy', 'k8s');
const { DEFAULT_PORTS, portVariable } = require('../scripts/apps') as { DEFAULT_PORTS: Record<string, number>; portVariable: (app: string) => string };
// The console keeps no state (no database, Kafka or keys) and is checked on its own below.
const apps = readdirSync(join(root, 'apps')).filter((a) => statSync(join(root, 'apps', a)).isDirectory() && a !== 'console');

type Manifest = Record<string, any>;
interface Loaded {
  where: string;
  doc: Manifest;
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );

function load(file: string): Loaded[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).flatMap((d, i) => {
    if (d.errors.length > 0) throw new Error(`${relative(root, file)} #${i}: ${d.errors[0].message}`);
    const doc = d.toJS();
    return doc == null ? [] : [{ where: `${relative(root, file)} #${i}`, doc }];
  });
}

/** The kubernetes-models class for apiVersion and kind, with the module its types live in. */
function modelOf(doc: Manifest): { Model: new (data: Manifest) => { validate(): void }; module: string } | undefined {
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !/^([a-z0-9.-]+\/)?v[a-z0-9]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind))
    return undefined;
  const module = `kubernetes-models/${apiVersion}/${kind}`;
  try {
    const Model = require(module)[kind];
    // Only top-level kinds carry apiVersion and kind; `v1/Container` and the like do not.
    return Model?.kind === kind && Model.apiVersion === apiVersion ? { Model, module } : undefined;
  } catch {
    return undefined;
  }
}

/** Schema errors of one document, or null when it passes (unknown kinds are errors). */
function schemaErrors(doc: Manifest): string | null {
  const model = modelOf(doc);
  if (!model) return `unknown kind ${doc.kind} (${doc.apiVersion})`;
  try {
    new model.Model(doc).validate();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Fields the schema does not know (a misspelt `livenesProbe` passes the JSON schema, which allows
 * extra properties): each document type-checked as an object literal of its model's interface.
 */
function unknownFieldErrors(docs: Loaded[]): string[] {
  const fileName = join(k8s, '__manifests__.ts');
  const source = docs
    .map(({ doc }, i) => {
      const model = modelOf(doc);
      if (!model) throw new Error(`unknown kind ${doc.kind} (${doc.apiVersion})`);
      return `import type { I${doc.kind} as T${i} } from '${model.module}';\nexport const d${i}: T${i} = ${JSON.stringify(doc)};`;
    })
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) => (name === fileName ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    const doc = d.file?.fileName === fileName ? docs[Math.floor(line / 2)] : undefined;
    return `${doc ? doc.where : (d.file?.fileName ?? 'typescript')}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

/** Routes the apps serve from libs/platform (every app mounts LedgerModule): `/health/live`, ... */
function servedPaths(): Set<string> {
  const dir = join(root, 'libs', 'platform', 'src');
  const paths = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const controller of text.split(/(?=@Controller\()/).slice(1)) {
      const base = /^@Controller\('([^']*)'\)/.exec(controller)?.[1] ?? '';
      for (const get of controller.matchAll(/@Get\((?:'([^']*)')?\)/g)) paths.add(`/${[base, get[1]].filter(Boolean).join('/')}`);
    }
  }
  return paths;
}

const files = yamlFiles(k8s);
const kustomizationFile = join(k8s, 'kustomization.yaml');
const manifests = files.filter((f) => f !== kustomizationFile).flatMap(load);
const ofKind = (kind: string) => manifests.map((m) => m.doc).filter((d) => d.kind === kind);
const deployment = (app: string) => ofKind('Deployment').find((d) => d.metadata.name === app);
const container = (app: string) => deployment(app)?.spec.template.spec.containers[0];
const env = (app: string, name: string) => container(app)?.env?.find((e: Manifest) => e.name === name);

describe('deploy/k8s', () => {
  it('holds Kubernetes documents', () => {
    expect(manifests.length).toBeGreaterThan(apps.length * 2);
  });

  it.each(manifests.map((m) => [m.where, m.doc] as const))('%s passes the schema of its kind', (_where, doc) => {
    expect(schemaErrors(doc)).toBeNull();
    expect(doc.metadata?.name).toEqual(expect.any(String));
  });

  it('uses no field its kinds do not have', () => {
    expect(unknownFieldErrors(manifests)).toEqual([]);
  });

  it('refuses what the schema does not allow, unknown kinds and unknown fields', () => {
    const broken = structuredClone(deployment('directory')!);
    broken.spec.replicas = 'two';
    expect(schemaErrors(broken)).toMatch(/replicas.*integer/);
    expect(schemaErrors({ apiVersion: 'apps/v1', kind: 'Deploymint', metadata: { name: 'x' } })).toMatch(/unknown kind/);
    expect(schemaErrors({ apiVersion: 'v1', kind: 'Container', name: 'x' })).toMatch(/unknown kind/);
    const misspelt = structuredClone(deployment('directory')!);
    misspelt.spec.template.spec.containers[0].livenesProbe = misspelt.spec.template.spec.containers[0].livenessProbe;
    expect(schemaErrors(misspelt)).toBeNull();
    expect(unknownFieldErrors([{ where: 'misspelt', doc: misspelt }])).toEqual([expect.stringMatching(/^misspelt: .*livenesProbe.*IContainer/)]);
  });

  it('lists every manifest in kustomization.yaml, and only files that exist', () => {
    const kustomization = load(kustomizationFile)[0].doc;
    expect(kustomization.kind).toBe('Kustomization');
    const listed = (kustomization.resources as string[]).map((r) => join(k8s, r)).sort();
    expect(listed).toEqual(files.filter((f) => f !== kustomizationFile).sort());
    // The image every Deployment names is the one kustomize replaces.
    const images = new Set(ofKind('Deployment').flatMap((d) => d.spec.template.spec.containers.map((c: Manifest) => c.image.split(':')[0])));
    expect([...images]).toEqual(kustomization.images.map((i: Manifest) => i.name));
  });

  it('keeps secrets out: no Secret documents, secret variables only from Secrets', () => {
    expect(ofKind('Secret')).toEqual([]);
    for (const d of ofKind('Deployment')) {
      for (const e of d.spec.template.spec.containers.flatMap((c: Manifest) => c.env ?? [])) {
        if (/KEY|PASSWORD|SECRET|TOKEN|DATABASE_URL/.test(e.name)) expect([e.name, e.valueFrom?.secretKeyRef?.name]).toEqual([e.name, expect.any(String)]);
      }
    }
    for (const c of ofKind('ConfigMap')) expect(Object.keys(c.data ?? {}).filter((k) => /KEY|PASSWORD|SECRET|TOKEN|DATABASE_URL/.test(k))).toEqual([]);
  });

  it('names Kafka and PostgreSQL as services outside this set', () => {
    const external = ofKind('Service').filter((s) => s.spec.type === 'ExternalName');
    expect(external.map((s) => s.metadata.name)).toEqual(expect.arrayContaining(['kafka', 'postgres']));
    const config = ofKind('ConfigMap').find((c) => c.metadata.name === 'dealledger-config')!;
    expect(config.data.KAFKA_BROKERS).toBe('kafka:9092');
    expect(config.data.OTEL_EXPORTER_OTLP_ENDPOINT).toMatch(/^http:\/\/.+:4318$/);
  });

  describe.each(apps)('%s', (app) => {
    const served = servedPaths();

    it('has a Deployment of the app image, started as docker-compose.yml starts it', () => {
      const d = deployment(app);
      expect(d).toBeDefined();
      const c = container(app);
      const port = DEFAULT_PORTS[app];
      expect(c.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: port })]);
      expect(env(app, 'APP')).toEqual({ name: 'APP', value: app });
      expect(env(app, 'HOST')).toEqual({ name: 'HOST', value: '0.0.0.0' });
      expect(env(app, portVariable(app))).toEqual({ name: portVariable(app), value: String(port) });
      expect(env(app, 'OTEL_SERVICE_NAME')).toEqual({ name: 'OTEL_SERVICE_NAME', value: `dealledger-${app}` });
      expect(c.envFrom).toEqual([{ configMapRef: { name: 'dealledger-config' } }]);
    });

    it('signs in to Kafka and PostgreSQL with its own Secret, and gets only the keys it uses', () => {
      for (const name of ['KAFKA_USERNAME', 'KAFKA_PASSWORD', 'DATABASE_URL']) {
        expect(env(app, name)?.valueFrom.secretKeyRef).toEqual({ name: `dealledger-${app}`, key: name });
      }
      expect(env(app, 'AUTH_PUBLIC_KEY')?.valueFrom.secretKeyRef).toEqual({ name: 'dealledger-auth-public', key: 'AUTH_PUBLIC_KEY' });
      expect(Boolean(env(app, 'AUTH_PRIVATE_KEY'))).toBe(app === 'directory');
      // Every app has operator routes (the rebuild of its read models), so every app takes the admin key.
      expect(env(app, 'ADMIN_KEY')?.valueFrom.secretKeyRef).toEqual({ name: 'dealledger-admin', key: 'ADMIN_KEY' });
      expect(Boolean(env(app, 'TENDER_SEAL_KEY'))).toBe(app === 'offers');
    });

    it('probes and scrapes paths the apps serve', () => {
      expect([...served]).toEqual(expect.arrayContaining(['/health/live', '/health/ready', '/metrics']));
      // Every app serves them by mounting the platform's LedgerModule.
      const module = readdirSync(join(root, 'apps', app, 'src')).find((f) => f.endsWith('.module.ts'))!;
      expect(readFileSync(join(root, 'apps', app, 'src', module), 'utf8')).toContain('LedgerModule.forContext(');
      const c = container(app);
      expect(c.livenessProbe.httpGet.path).toBe('/health/live');
      expect(c.readinessProbe.httpGet.path).toBe('/health/ready');
      for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe].filter(Boolean)) {
        expect(served).toContain(probe.httpGet.path);
        expect(probe.httpGet.port).toBe('http');
      }
      const annotations = deployment(app)!.spec.template.metadata.annotations;
      expect(annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics', 'prometheus.io/port': String(DEFAULT_PORTS[app]) });
      expect(served).toContain(annotations['prometheus.io/path']);
    });

    it('runs as non-root on a read-only root file system, with resources set', () => {
      const pod = deployment(app)!.spec.template.spec;
      const c = container(app);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: expect.any(Number) });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(env(app, 'DEV_SECRETS_DIR')).toBeUndefined();
      expect(c.resources.requests).toEqual({ cpu: expect.anything(), memory: expect.anything() });
      expect(c.resources.limits.memory).toBeDefined();
    });

    it('has a Service that selects its pods and reaches their port', () => {
      const service = ofKind('Service').find((s) => s.metadata.name === app);
      expect(service).toBeDefined();
      const labels = deployment(app)!.spec.template.metadata.labels;
      expect(labels).toMatchObject(service!.spec.selector);
      expect(deployment(app)!.spec.selector.matchLabels).toEqual(service!.spec.selector);
      expect(service!.spec.ports).toEqual([expect.objectContaining({ port: DEFAULT_PORTS[app], targetPort: 'http' })]);
    });
  });

  describe('console', () => {
    it('runs the console image with the port of the local run, reaching every app by its Service', () => {
      const c = container('console');
      expect(c.ports).toEqual([expect.objectContaining({ name: 'http', containerPort: DEFAULT_PORTS.console })]);
      expect(env('console', 'APP')).toEqual({ name: 'APP', value: 'console' });
      expect(env('console', portVariable('console'))).toEqual({ name: portVariable('console'), value: String(DEFAULT_PORTS.console) });
      for (const app of apps) {
        const service = ofKind('Service').find((s) => s.metadata.name === app)!;
        expect(env('console', `${app.toUpperCase().replace(/-/g, '_')}_URL`)?.value).toBe(`http://${app}:${service.spec.ports[0].port}`);
      }
    });

    it('holds no secret and probes the path it serves, as non-root on a read-only file system', () => {
      const c = container('console');
      expect((c.env ?? []).filter((e: Manifest) => e.valueFrom)).toEqual([]);
      expect(c.envFrom).toBeUndefined();
      const health = /@Controller\('health'\)\s*class \w+ \{[^}]*@Get\(\)/s.test(
        readFileSync(join(root, 'apps', 'console', 'src', 'console.module.ts'), 'utf8'),
      );
      expect(health).toBe(true);
      expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(deployment('console')!.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
      const service = ofKind('Service').find((s) => s.metadata.name === 'console')!;
      expect(service.spec.ports).toEqual([expect.objectContaining({ port: DEFAULT_PORTS.console, targetPort: 'http' })]);
    });
  });
});
