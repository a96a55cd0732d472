import { randomUUID } from 'node:crypto';
import { eventCatalog } from '@dealledger/events';
import { sampleHistory } from './sample-events';

describe('sampleHistory', () => {
  it('holds valid events; deals at the newest version, as their producers write them (quantities as decimal strings)', () => {
    const history = sampleHistory(randomUUID(), randomUUID(), randomUUID(), new Date('2027-01-01T00:00:00Z'));
    for (const e of history) {
      expect([e.type, eventCatalog.validate(e.type, e.schemaVersion, e.data)]).toEqual([e.type, []]);
      if (['offers', 'contracts', 'resale'].includes(e.context)) expect([e.type, e.schemaVersion]).toEqual([e.type, eventCatalog.latestVersion(e.type)]);
    }
  });
});
