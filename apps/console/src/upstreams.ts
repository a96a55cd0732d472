/**
 * The apps the console talks to, by name, and where they listen: `<APP>_URL`, else
 * 127.0.0.1 and `<APP>_PORT`, else the default port (scripts/apps.js is the same table).
 * Only these are reachable through the console: it is not an open proxy.
 */
export const DEFAULT_PORTS = {
  directory: 3001,
  offers: 3002,
  contracts: 3003,
  resale: 3004,
  'service-desk': 3005,
  relationships: 3006,
  fulfilment: 3007,
  accounts: 3008,
} as const;

export type Upstream = keyof typeof DEFAULT_PORTS;

export function upstreamUrl(app: Upstream, env: NodeJS.ProcessEnv = process.env): string {
  const name = app.toUpperCase().replace(/-/g, '_');
  return (env[`${name}_URL`] ?? `http://127.0.0.1:${env[`${name}_PORT`] ?? DEFAULT_PORTS[app]}`).replace(/\/+$/, '');
}

export function isUpstream(name: string): name is Upstream {
  return Object.prototype.hasOwnProperty.call(DEFAULT_PORTS, name);
}
