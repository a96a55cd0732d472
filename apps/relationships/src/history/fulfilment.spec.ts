import { subtractQuantities } from '@dealledger/domain';
import fc from 'fast-check';
import { scorecard } from '../scorecard/scorecard';
import { describe as line } from './describe';
import { emptyTally, RelationshipSummary, summarize, summaryOf, tally, tallyAsSeenBy, withDecimalVolumes } from './summary';
import type { TimelineEvent } from './timeline-event';

const B = 'b0000000-0000-4000-8000-000000000001'; // buyer
const S = 'a0000000-0000-4000-8000-000000000002'; // supplier
const names: Record<string, string> = { [S]: 'Nordstahl', [B]: 'Autowerk' };
const name = (id: string) => names[id] ?? id;
let n = 0;
const ev = (callOffId: string, type: string, data: any): TimelineEvent => ({
  eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  context: 'fulfilment',
  type,
  streamId: `fulfilment-${callOffId}`,
  occurredAt: new Date(Date.UTC(2027, 2, 1 + n)).toISOString(),
  recordedAt: new Date(Date.UTC(2027, 2, 1 + n)).toISOString(),
  position: n,
  parties: [B, S],
  data: { callOffId, contractId: 'c1', buyerId: B, supplierId: S, ...data },
});

const receipt = (sku: string, unit: string, dispatched: string, received: string, accepted: string, reason: string | null = null) => ({
  sku,
  unit,
  dispatched,
  received,
  accepted,
  rejected: subtractQuantities(received, accepted),
  reason,
});
const invoiceLine = (match: 'matched' | 'disputed', issues: string[] = []) => ({ sku: 'S355', unit: 'TNE', quantity: '1', match, issues });

// Call-off 1: short and late, an invoice disputed, withdrawn and issued again, paid late.
const first = [
  ev('k1', 'DeliveryDispatched', {
    deliveryId: 'd1',
    lines: [
      { sku: 'S355', quantity: '60', unit: 'TNE', batch: 'B7', serialNumbers: [] },
      { sku: 'BOLT-M12', quantity: '100', unit: 'H87', batch: null, serialNumbers: [] },
    ],
    carrier: 'Rhenus',
    trackingNumber: null,
    expectedArrival: '2027-03-04T00:00:00.000Z',
  }),
  ev('k1', 'GoodsReceived', {
    deliveryId: 'd1',
    lines: [receipt('S355', 'TNE', '60', '58', '56', 'surface rust'), receipt('BOLT-M12', 'H87', '100', '100', '100')],
    expectedArrival: '2027-03-04T00:00:00.000Z',
    onTime: false,
    ticket: null,
  }),
  ev('k1', 'InvoiceIssued', {
    invoiceId: 'i1',
    number: 'INV-1',
    currency: 'EUR',
    lines: [invoiceLine('disputed', ['price_above_contract', 'quantity_above_accepted'])],
    gross: '67656.30',
    status: 'disputed',
    disputedAmount: '2480.00',
    dueDate: '2027-04-10',
  }),
  ev('k1', 'InvoiceWithdrawn', { invoiceId: 'i1', reason: 'wrong price' }),
  ev('k1', 'InvoiceIssued', {
    invoiceId: 'i2',
    number: 'INV-2',
    currency: 'EUR',
    lines: [invoiceLine('matched')],
    gross: '65176.30',
    status: 'matched',
    disputedAmount: '0.00',
    dueDate: '2027-04-11',
  }),
  ev('k1', 'InvoicePaid', { invoiceId: 'i2', amount: '65176.30', discountTaken: '0.00', currency: 'EUR', dueDate: '2027-04-11', late: true }),
];
// Call-off 2: exact and on time, invoiced in another currency, paid early with the discount.
const second = [
  ev('k2', 'DeliveryDispatched', {
    deliveryId: 'd2',
    lines: [{ sku: 'S355', quantity: '20.5', unit: 'TNE', batch: null, serialNumbers: [] }],
    carrier: 'DB Schenker',
    trackingNumber: 'X1',
    expectedArrival: '2027-03-20T00:00:00.000Z',
  }),
  ev('k2', 'GoodsReceived', {
    deliveryId: 'd2',
    lines: [receipt('S355', 'TNE', '20.5', '20.5', '20.5')],
    expectedArrival: '2027-03-20T00:00:00.000Z',
    onTime: true,
    ticket: null,
  }),
  ev('k2', 'InvoiceIssued', {
    invoiceId: 'i3',
    number: 'INV-3',
    currency: 'CHF',
    lines: [invoiceLine('matched')],
    gross: '1000.00',
    status: 'matched',
    disputedAmount: '0.00',
    dueDate: '2027-05-01',
  }),
  ev('k2', 'InvoicePaid', { invoiceId: 'i3', amount: '980.00', discountTaken: '20.00', currency: 'CHF', dueDate: '2027-05-01', late: false }),
];

describe('fulfilment in the summary', () => {
  const s = summarize([...first, ...second], [S, B]);

  it('counts deliveries received, on time and exactly as dispatched', () => {
    expect(s.fulfilment.deliveries).toEqual({ dispatched: 2, received: 2, onTime: 1, onTimePercent: 50, exact: 1, quantityAccuracyPercent: 50 });
  });

  it('sums goods received, accepted and rejected over every unit alike, exactly', () => {
    // 58 + 100 + 20.5 received, 2 rejected: 2 / 178.5 = 1.12 %.
    expect(s.fulfilment.goods).toEqual({ received: '178.5', accepted: '176.5', rejected: '2', rejectionRatePercent: 1.12 });
  });

  it('counts invoices matched, disputed, withdrawn and paid, and values those not withdrawn per currency', () => {
    expect(s.fulfilment.invoices).toEqual({
      issued: 3,
      matched: 2,
      disputed: 1,
      withdrawn: 1,
      paid: 2,
      paidLate: 1,
      accuracyPercent: 66.67,
      value: { EUR: '65176.30', CHF: '1000.00' },
    });
  });

  it('has no percentages with nothing to judge by', () => {
    expect(summarize([first[0]]).fulfilment).toMatchObject({
      deliveries: { dispatched: 1, received: 0, onTimePercent: null, quantityAccuracyPercent: null },
      goods: { received: '0', rejectionRatePercent: null },
      invoices: { issued: 0, accuracyPercent: null, value: {} },
    });
  });

  it('gives the same tally for any interleaving of the call-offs that keeps each stream in order', () => {
    const interleaved = [second[0], first[0], first[1], second[1], second[2], first[2], first[3], second[3], first[4], first[5]];
    const fold = (events: TimelineEvent[]) => events.reduce((t, e) => tallyAsSeenBy(t, e, B, [S, B]), emptyTally());
    expect(fold(interleaved)).toEqual(fold([...first, ...second]));
    expect(fold([...second, ...first])).toEqual(fold([...first, ...second]));
    expect(summaryOf(fold(interleaved))).toEqual(s);

    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: first.length + second.length, maxLength: first.length + second.length }), (picks) => {
        const [a, b] = [[...first], [...second]];
        const arrival = picks.map((pickFirst) => ((pickFirst && a.length) || !b.length ? a.shift()! : b.shift()!));
        expect(JSON.parse(JSON.stringify(fold(arrival)))).toEqual(fold([...first, ...second]));
      }),
      { numRuns: 100 },
    );
  });

  it('reads a tally kept before fulfilment events as empty, and adds to it', () => {
    const old = JSON.parse(JSON.stringify(emptyTally()));
    delete old.fulfilment;
    expect(summaryOf(old).fulfilment).toEqual(summarize([]).fulfilment);
    for (const e of second) tally(old, e);
    expect(summaryOf(old).fulfilment.invoices).toMatchObject({ issued: 1, paid: 1, value: { CHF: '1000.00' } });
    // A summary kept before reads with empty fulfilment figures.
    const { fulfilment: _f, ...kept } = summarize([]);
    expect(withDecimalVolumes(kept as RelationshipSummary).fulfilment).toEqual(summarize([]).fulfilment);
  });
});

describe('describe fulfilment', () => {
  it('writes one line per fulfilment event, units as their UN/ECE codes', () => {
    expect([...first, ...second].map((e) => line(e, name))).toEqual([
      'Nordstahl dispatched 60 TNE S355, 100 H87 BOLT-M12 by Rhenus, expected 2027-03-04',
      'Autowerk received delivery late: 56 of 60 TNE S355 accepted, 2 rejected (surface rust); 100 of 100 H87 BOLT-M12 accepted',
      'Nordstahl issued invoice INV-1: 67656.30 EUR, disputed by 2480.00 EUR (price above contract, quantity above accepted), due 2027-04-10',
      'Nordstahl withdrew an invoice: wrong price',
      'Nordstahl issued invoice INV-2: 65176.30 EUR, matched, due 2027-04-11',
      'Autowerk paid an invoice: 65176.30 EUR, late (due 2027-04-11)',
      'Nordstahl dispatched 20.5 TNE S355 by DB Schenker, expected 2027-03-20',
      'Autowerk received delivery: 20.5 of 20.5 TNE S355 accepted',
      'Nordstahl issued invoice INV-3: 1000.00 CHF, matched, due 2027-05-01',
      'Autowerk paid an invoice: 980.00 CHF (20.00 early-payment discount)',
    ]);
  });
});

describe('the delivery criterion of the scorecard', () => {
  const now = new Date('2028-01-01T00:00:00Z');

  it('is the mean of on-time %, quantity accuracy %, 100 − rejection rate % and invoice accuracy %, each / 10', () => {
    const card = scorecard([...first, ...second], S, B, now);
    // mean(50 / 10, 50 / 10, (100 − 1.12) / 10, 66.67 / 10) = 6.63875
    expect(card.criteria.delivery).toEqual({
      score: 6.64,
      basis: { onTimeDeliveryPercent: 50, quantityAccuracyPercent: 50, rejectionRatePercent: 1.12, invoiceAccuracyPercent: 66.67 },
    });
    expect(scorecard([...first, ...second], S, null, now).criteria.delivery).toEqual(card.criteria.delivery);
  });

  it('judges by the figures that exist, and is empty with none', () => {
    // Received exactly and on time, nothing invoiced yet: mean(10, 10, 10).
    expect(scorecard(second.slice(0, 2), S, B, now).criteria.delivery).toEqual({
      score: 10,
      basis: { onTimeDeliveryPercent: 100, quantityAccuracyPercent: 100, rejectionRatePercent: 0, invoiceAccuracyPercent: null },
    });
    expect(scorecard(first.slice(0, 1), S, B, now).criteria.delivery.score).toBeNull();
  });

  it('counts only the supplier’s deliveries to the buyer asked about', () => {
    const other = 'e0000000-0000-4000-8000-000000000005';
    const elsewhere = second.map((e) => ({ ...e, data: { ...e.data, buyerId: other } }));
    expect(scorecard([...first, ...elsewhere], S, B, now).criteria.delivery.basis).toMatchObject({ onTimeDeliveryPercent: 0, invoiceAccuracyPercent: 50 });
  });
});
