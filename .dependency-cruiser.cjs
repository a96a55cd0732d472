// Architecture rules, checked by test/dependency-rules.spec.ts and `node scripts/dependency-rules.mjs`.
// Paths are relative to the directory cruised from: the repository root, or a test fixture.

// Decisions stay pure: deciders, rule files and the domain lib see no framework and no
// infrastructure lib, so they can be read, tested and moved without a running app.
const PURE = ['^apps/[^/]+/src/.*\\.(decider|rule|rules)\\.ts$', '^libs/domain/'];
const FRAMEWORKS = [
  '(^|/)node_modules/(@types/)?(@nestjs|@opentelemetry)/',
  '(^|/)node_modules/(@types/)?(typeorm|kafkajs|pg|pg-copy-streams|express|prom-client|pino|pino-http|nestjs-pino)/',
  // An import that does not resolve (a package not installed yet) is still named.
  '^(@nestjs|@opentelemetry)/',
  '^(typeorm|kafkajs|pg|pg-copy-streams|express|prom-client|pino|pino-http|nestjs-pino)$',
];
const INFRASTRUCTURE_LIBS = '^libs/(platform|messaging|event-store|auth|telemetry)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'pure-domain-no-framework',
      comment: 'A decider, rule file or libs/domain imports a framework; keep decisions free of I/O and wiring.',
      severity: 'error',
      from: { path: PURE },
      to: { path: FRAMEWORKS },
    },
    {
      name: 'pure-domain-no-infrastructure-lib',
      comment: 'A decider, rule file or libs/domain imports libs/platform, messaging, event-store, auth or telemetry.',
      severity: 'error',
      from: { path: PURE },
      to: { path: INFRASTRUCTURE_LIBS },
    },
    {
      name: 'no-app-to-other-app',
      comment: 'Apps are separate processes; they share only libs and Kafka events.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-lib-to-app',
      comment: 'Libs serve every app and must not depend on one.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-circular-between-libs',
      comment: 'A cycle that leaves a lib and comes back through another; libs form a layered graph.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { circular: true, via: { pathNot: '^libs/$1/' } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a decider that imports a framework's types still depends on it.
    tsPreCompilationDeps: true,
    // Resolves the `@dealledger/*` aliases.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
