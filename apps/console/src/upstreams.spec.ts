import { DEFAULT_PORTS, isUpstream, upstreamUrl } from './upstreams';

const { DEFAULT_PORTS: PORTS } = require('../../../scripts/apps') as { DEFAULT_PORTS: Record<string, number> };

describe('the apps the console reaches', () => {
  it('are every app of scripts/apps.js but the console, on the same default ports', () => {
    const { console: _console, ...apps } = PORTS;
    expect(DEFAULT_PORTS).toEqual(apps);
  });

  it('are found by <APP>_URL, else <APP>_PORT on 127.0.0.1', () => {
    expect(upstreamUrl('service-desk', {})).toBe('http://127.0.0.1:3005');
    expect(upstreamUrl('service-desk', { SERVICE_DESK_PORT: '4005' })).toBe('http://127.0.0.1:4005');
    expect(upstreamUrl('service-desk', { SERVICE_DESK_URL: 'http://desk:3005/', SERVICE_DESK_PORT: '4005' })).toBe('http://desk:3005');
  });

  it('do not include anything else, not even inherited names', () => {
    expect(isUpstream('offers')).toBe(true);
    expect(isUpstream('console')).toBe(false);
    expect(isUpstream('constructor')).toBe(false);
    expect(isUpstream('__proto__')).toBe(false);
  });
});
