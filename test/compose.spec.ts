import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// No Docker engine runs here, so the compose file is checked against the apps as they are.
const root = join(__dirname, '..');
const { DEFAULT_PORTS, portVariable } = require('../scripts/apps');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const allApps = readdirSync(join(root, 'apps'));
// The console keeps no state: it has no database or Kafka, and is checked on its own below.
const apps = allApps.filter((a) => a !== 'console');

describe('docker-compose.yml', () => {
  it('runs Kafka in KRaft mode and PostgreSQL, with health checks', () => {
    expect(compose.services.kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(compose.services.kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(compose.services.kafka.healthcheck).toBeDefined();
    expect(compose.services.postgres.healthcheck).toBeDefined();
  });

  it.each(apps)('runs %s from the Dockerfile with the same port and variables as the local run', (app) => {
    const service = compose.services[app];
    expect(service).toBeDefined();
    expect(service.build.args.APP).toBe(app);
    const port = DEFAULT_PORTS[app];
    // The app's own default port is the one compose publishes.
    expect(readFileSync(join(root, 'apps', app, 'src', 'main.ts'), 'utf8')).toMatch(new RegExp(`runApp\\([^)]*, ${port}\\);`));
    expect(service.environment[portVariable(app)]).toBe(String(port));
    expect(service.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    expect(service.environment).toMatchObject({
      DATABASE_URL: expect.stringMatching(/^postgresql:\/\/.+@postgres:5432\//),
      // The single broker unless COMPOSE_KAFKA_BROKERS names the cluster profile's.
      KAFKA_BROKERS: '${COMPOSE_KAFKA_BROKERS:-kafka:9092}',
      HOST: '0.0.0.0',
    });
    expect(service.depends_on).toEqual({ kafka: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
    expect(service.environment).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318', OTEL_SERVICE_NAME: `dealledger-${app}` });
  });

  it('has a cluster profile of three KRaft nodes with every topic on all three and a write on two', () => {
    const nodes = ['kafka-1', 'kafka-2', 'kafka-3'].map((n) => compose.services[n]);
    for (const [i, node] of nodes.entries()) {
      expect(node.profiles).toEqual(['cluster']);
      expect(node.environment).toMatchObject({
        KAFKA_NODE_ID: i + 1,
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093',
        KAFKA_DEFAULT_REPLICATION_FACTOR: 3,
        KAFKA_MIN_INSYNC_REPLICAS: 2,
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://kafka-${i + 1}:9092`,
        KAFKA_LOG_DIRS: '/var/lib/kafka/data',
      });
    }
    // One cluster id for the three: base64url of 16 bytes, as Kafka's own.
    expect(new Set(nodes.map((n) => n.environment.CLUSTER_ID)).size).toBe(1);
    expect(Buffer.from(nodes[0].environment.CLUSTER_ID, 'base64url')).toHaveLength(16);
  });

  it('runs the console beside the apps, reaching each by its service name and port', () => {
    const service = compose.services.console;
    expect(service.build.args.APP).toBe('console');
    expect(readFileSync(join(root, 'apps', 'console', 'src', 'main.ts'), 'utf8')).toMatch(new RegExp(`runApp\\([^)]*, ${DEFAULT_PORTS.console}\\);`));
    expect(service.environment.CONSOLE_PORT).toBe(String(DEFAULT_PORTS.console));
    expect(service.ports).toEqual([`127.0.0.1:${DEFAULT_PORTS.console}:${DEFAULT_PORTS.console}`]);
    for (const app of apps) expect(service.environment[`${app.toUpperCase().replace(/-/g, '_')}_URL`]).toBe(`http://${app}:${DEFAULT_PORTS[app]}`);
    expect(service.environment.DATABASE_URL).toBeUndefined();
    expect(service.environment.KAFKA_BROKERS).toBeUndefined();
  });

  it('runs Jaeger with its OTLP receiver and UI', () => {
    expect(compose.services.jaeger.image).toMatch(/^jaegertracing\/all-in-one:/);
    expect(compose.services.jaeger.environment.COLLECTOR_OTLP_ENABLED).toBe('true');
    expect(compose.services.jaeger.ports).toContain('127.0.0.1:16686:16686');
  });

  it('names no service that is not an app or infrastructure', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...allApps, 'kafka', 'kafka-1', 'kafka-2', 'kafka-3', 'postgres', 'jaeger'].sort());
  });

  it('builds every app with a Dockerfile that has a health check', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('HEALTHCHECK');
    expect(dockerfile).toContain('ARG APP');
  });
});
