import { randomUUID } from 'node:crypto';
import { sampleHistory, sealed } from '@dealledger/testing';
import { feedEntriesOf } from './feed-view';

describe('the feed as each company sees it', () => {
  const [supplier, buyer, intermediary]: string[] = [randomUUID(), randomUUID(), randomUUID()];
  const history = sampleHistory(supplier, buyer, intermediary, new Date('2026-01-05T09:00:00Z'));
  const entries = feedEntriesOf(history, new Set(), new Map());
  const of = (company: string) => entries.filter((e) => e.company === company);
  const rival = history.find((e) => e.type === 'SuppliersInvited')!.parties.find((p) => ![buyer, supplier].includes(p))!;

  it('gives each party every event it is a party to, in order, and nothing else', () => {
    for (const company of [supplier, buyer, intermediary]) {
      const expected = history.filter((e) => e.parties.includes(company)).map((e) => e.id);
      expect(of(company).map((e) => e.event.id)).toEqual(expected);
    }
    expect(entries.every((e) => history.find((h) => h.id === e.event.id)!.parties.includes(e.company))).toBe(true);
  });

  it("hides another hop's quantity, prices and what is left of the lot from the original supplier, with the hash that would tell them", () => {
    const resale = of(supplier).find((e) => e.event.type === 'LotResold')!;
    expect(resale.redacted).toBe(true);
    expect(resale.asRecorded).toBe(false);
    expect(resale.event.data).not.toHaveProperty('remaining');
    // A hidden field of few possible values could be found by hashing every guess.
    expect(resale.event).not.toHaveProperty('hash');
    expect(resale.event).not.toHaveProperty('previousHash');
    expect(resale.event.data).not.toHaveProperty('unitPrice');
    expect(resale.event.data).not.toHaveProperty('unitCost');
    expect(resale.event.data).not.toHaveProperty('quantity');
    expect(JSON.stringify(resale.event.data)).not.toContain('55.00');
    const own = of(intermediary).find((e) => e.event.type === 'LotResold')!;
    expect(own.redacted).toBe(false);
    expect(own.asRecorded).toBe(true);
    expect(own.event.hash).toBe(history.find((e) => e.type === 'LotResold')!.hash);
    expect(own.event.data).toMatchObject({ unitPrice: '55.00', unitCost: '47.50' });
  });

  it('shows a bidder its own bid of a closed tender only, without the others or their prices', () => {
    const closed = entries.find((e) => e.company === rival && e.event.type === 'TenderClosed')!;
    expect(closed.redacted).toBe(true);
    expect((closed.event.data as { bids: { supplierId: string }[] }).bids.map((b) => b.supplierId)).toEqual([rival]);
    expect(closed.event.parties).not.toContain(supplier);
    expect(JSON.stringify(closed.event)).not.toContain('50000.00');
  });

  it('holds a draft offer back from the buyer until it is submitted, then gives it just before the submission', () => {
    const drafted = history.find((e) => e.type === 'OfferDrafted')!;
    const types = of(buyer).map((e) => e.event.type);
    expect(types.indexOf('OfferDrafted')).toBe(types.indexOf('OfferSubmitted') - 1);
    const unsent = feedEntriesOf([drafted], new Set(), new Map());
    expect(unsent.map((e) => e.company)).toEqual([supplier]);
    // Submitted in a later batch: the draft kept in the supplier's feed comes first.
    const submitted = history.find((e) => e.type === 'OfferSubmitted')!;
    const later = feedEntriesOf([submitted], new Set(), new Map([[(drafted.data as { offerId: string }).offerId, drafted]]));
    expect(later.filter((e) => e.company === buyer).map((e) => e.event.type)).toEqual(['OfferDrafted', 'OfferSubmitted']);
    // Submitted before: no second copy.
    const again = feedEntriesOf([submitted], new Set([(drafted.data as { offerId: string }).offerId]), new Map());
    expect(again.filter((e) => e.company === buyer).map((e) => e.event.type)).toEqual(['OfferSubmitted']);
  });

  it("keeps the supplier's escalation note, and who wrote it, from the buyer", () => {
    const ticket = history.find((e) => e.type === 'TicketOpened')!.data as { ticketId: string; contractId: string };
    const escalated = sealed({
      ...history.find((e) => e.type === 'TicketOpened')!,
      id: randomUUID(),
      type: 'TicketEscalated',
      streamVersion: 2,
      previousHash: 'a'.repeat(64),
      actor: { companyId: supplier, personId: randomUUID() },
      data: { ...ticket, supplierId: supplier, buyerId: buyer, by: randomUUID(), level: 2, note: 'the customer is bluffing' },
    });
    const [toSupplier, toBuyer] = [supplier, buyer].map((c) => feedEntriesOf([escalated], new Set(), new Map()).find((e) => e.company === c)!);
    expect(toSupplier.event.data).toMatchObject({ note: 'the customer is bluffing' });
    expect(toBuyer.redacted).toBe(true);
    expect(toBuyer.event.data).toMatchObject({ level: 2 });
    expect(JSON.stringify(toBuyer.event)).not.toContain('bluffing');
    expect(toBuyer.event.actor).toEqual({ companyId: supplier, personId: null });
  });

  it('gives a person recorded in clear (before names were sealed) without the name and e-mail', () => {
    const added = sealed({
      ...history[0],
      id: randomUUID(),
      type: 'PersonAdded',
      schemaVersion: 2,
      streamVersion: 2,
      previousHash: 'b'.repeat(64),
      data: {
        companyId: supplier,
        personId: randomUUID(),
        position: 'CEO',
        signingRoles: ['executive'],
        personal: { alg: 'clear', name: 'Ada Example', email: 'ada@example.com' },
      },
    });
    const [entry] = feedEntriesOf([added], new Set(), new Map());
    expect(entry.redacted).toBe(true);
    expect(JSON.stringify(entry.event)).not.toMatch(/Ada Example|ada@example.com/);
    expect(entry.event.data).toMatchObject({ position: 'CEO', signingRoles: ['executive'] });
  });

  it('tells an event given at a newer schema version than recorded (its hash covers the recorded form)', () => {
    const recorded = history.find((e) => e.type === 'CallOffPlaced')!;
    const [asIs] = feedEntriesOf([recorded], new Set(), new Map());
    expect(asIs.asRecorded).toBe(true);
    const upcast = { ...recorded, schemaVersion: recorded.schemaVersion + 1 };
    expect(feedEntriesOf([upcast], new Set(), new Map())[0].asRecorded).toBe(false);
  });
});
