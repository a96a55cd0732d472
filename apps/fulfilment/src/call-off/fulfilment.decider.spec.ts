import type { Requester } from '@dealledger/domain';
import type { DocumentRef } from '@dealledger/events';
import { deciderSpec } from '@dealledger/testing';
import type { FulfilmentCommand, KnownCallOff } from './fulfilment.commands';
import { attachedDocument, fulfilmentDecider } from './fulfilment.decider';
import { callOffDocument, fulfilmentView } from './fulfilment.stream';

const { given, history } = deciderSpec(fulfilmentDecider);

const buyer = 'b0b0b0b0-0000-4000-8000-000000000001';
const supplier = '5a5a5a5a-0000-4000-8000-000000000002';
const stranger = '0d0d0d0d-0000-4000-8000-000000000009';
const contractId = 'c0c0c0c0-0000-4000-8000-000000000003';
const callOffId = 'ca11ca11-0000-4000-8000-000000000004';
const delivery1 = 'de11de11-0000-4000-8000-000000000005';
const delivery2 = 'de22de22-0000-4000-8000-000000000006';
const invoice1 = '11111111-0000-4000-8000-000000000007';
const invoice2 = '22222222-0000-4000-8000-000000000008';
const p = (companyId: string, n: number): Requester => ({ companyId, personId: `00000000-0000-4000-8000-0000000000${n}`, roles: [] });
const clerk = p(buyer, 10);
const shipper = p(supplier, 20);
const callOff: KnownCallOff = {
  callOffId,
  contractId,
  buyerId: buyer,
  supplierId: supplier,
  currency: 'EUR',
  contractStatus: 'executed',
  lines: [
    { sku: 'S355', quantity: '100.5', unitPrice: '940.00', unit: 'TNE' },
    { sku: 'BOLT', quantity: '1000', unitPrice: '0.25', unit: 'H87' },
  ],
  paymentTerms: { daysNet: 30, earlyPayment: { days: 10, discountPercent: '2' } },
  slaSeverities: ['critical', 'major'],
};
const doc = (n: number, name = `doc-${n}.pdf`): DocumentRef => ({
  name,
  sha256: n.toString(16).padStart(64, '0'),
  size: 1000 + n,
  mediaType: 'application/pdf',
});
const certificate = doc(1, 'Material certificate EN 10204 3.1.pdf');
const inspection = doc(2, 'Inspection report.pdf');
const t0 = new Date('2027-03-01T08:00:00Z');
const at = (days: number) => new Date(t0.getTime() + days * 86400000);

const dispatch = (over: Partial<Extract<FulfilmentCommand, { type: 'DispatchDelivery' }>> = {}): FulfilmentCommand => ({
  type: 'DispatchDelivery',
  callOffId,
  callOff,
  deliveryId: delivery1,
  lines: [
    { sku: 'S355', quantity: '60', batch: 'HX-1', serialNumbers: [] },
    { sku: 'BOLT', quantity: '1000', batch: null, serialNumbers: [] },
  ],
  carrier: 'DB Schenker',
  trackingNumber: null,
  expectedArrival: '2027-03-04',
  documents: [],
  requester: shipper,
  now: t0,
  ...over,
});
const receive = (over: Partial<Extract<FulfilmentCommand, { type: 'ReceiveGoods' }>> = {}): FulfilmentCommand => ({
  type: 'ReceiveGoods',
  callOffId,
  callOff,
  deliveryId: delivery1,
  lines: [
    { sku: 'S355', received: '60', accepted: '58', reason: 'two plates cracked' },
    { sku: 'BOLT', received: '1000', accepted: '1000', reason: null },
  ],
  ticket: null,
  documents: [],
  requester: clerk,
  now: at(3),
  ...over,
});
const invoice = (over: Partial<Extract<FulfilmentCommand, { type: 'IssueInvoice' }>> = {}): FulfilmentCommand => ({
  type: 'IssueInvoice',
  callOffId,
  callOff,
  invoiceId: invoice1,
  number: 'INV-1',
  currency: 'EUR',
  lines: [
    { sku: 'S355', quantity: '58', unitPrice: '940.00', vatRate: '19' },
    { sku: 'BOLT', quantity: '1000', unitPrice: '0.25', vatRate: '19' },
  ],
  dueDate: null,
  requester: shipper,
  now: at(4),
  ...over,
});
const pay = (amount: string, days: number, id = invoice1): FulfilmentCommand => ({
  type: 'PayInvoice',
  callOffId,
  callOff,
  invoiceId: id,
  amount,
  requester: clerk,
  now: at(days),
});

const dispatched = history(dispatch());
const received = history(dispatch(), receive());
const invoiced = history(dispatch(), receive(), invoice());

describe('fulfilment decider', () => {
  describe('dispatch advice', () => {
    it('records the lines in the contract item’s unit, with batches, carrier and expected arrival', () => {
      expect(dispatched).toEqual([
        {
          type: 'DeliveryDispatched',
          data: {
            callOffId,
            contractId,
            buyerId: buyer,
            supplierId: supplier,
            deliveryId: delivery1,
            lines: [
              { sku: 'S355', quantity: '60', unit: 'TNE', batch: 'HX-1', serialNumbers: [] },
              { sku: 'BOLT', quantity: '1000', unit: 'H87', batch: null, serialNumbers: [] },
            ],
            carrier: 'DB Schenker',
            trackingNumber: null,
            expectedArrival: '2027-03-04',
            dispatchedBy: shipper.personId,
            dispatchedAt: t0.toISOString(),
            documents: [],
          },
        },
      ]);
    });
    it('splits a call-off over deliveries, never beyond what is ordered and not yet accepted or on its way', () => {
      // 60 of 100.5 are on their way: 40.5 is left.
      const rest = given(dispatched).when(dispatch({ deliveryId: delivery2, lines: [{ sku: 'S355', quantity: '40.5', batch: null, serialNumbers: [] }] }));
      expect(rest.events[0].data).toMatchObject({ deliveryId: delivery2, lines: [{ sku: 'S355', quantity: '40.5', unit: 'TNE' }] });
      given(dispatched)
        .when(dispatch({ deliveryId: delivery2, lines: [{ sku: 'S355', quantity: '40.5001', batch: null, serialNumbers: [] }] }))
        .thenThrows('conflict:fulfilment.over_delivery');
      given(dispatched)
        .when(dispatch({ deliveryId: delivery2, lines: [{ sku: 'BOLT', quantity: '1', batch: null, serialNumbers: [] }] }))
        .thenThrows('conflict:fulfilment.over_delivery');
    });
    it('lets rejected goods be replaced', () => {
      // 58 of 60 accepted: 42.5 is still to deliver (100.5 - 58).
      const e = given(received).when(dispatch({ deliveryId: delivery2, lines: [{ sku: 'S355', quantity: '42.5', batch: null, serialNumbers: [] }] })).events;
      expect(e[0].type).toBe('DeliveryDispatched');
      given(received)
        .when(dispatch({ deliveryId: delivery2, lines: [{ sku: 'S355', quantity: '42.6', batch: null, serialNumbers: [] }] }))
        .thenThrows('fulfilment.over_delivery');
    });
    it('refuses a foreign call-off, the buyer, a company key, a closed call-off, an unknown item, a line twice, a delivery id twice', () => {
      given([])
        .when(dispatch({ requester: p(stranger, 30) }))
        .thenThrows('not_found:fulfilment.call_off_not_found');
      given([])
        .when(dispatch({ callOff: null }))
        .thenThrows('not_found:fulfilment.call_off_not_found');
      given([])
        .when(dispatch({ requester: clerk }))
        .thenThrows('forbidden:fulfilment.supplier_only');
      given([])
        .when(dispatch({ requester: { companyId: supplier, personId: null, roles: [] } }))
        .thenThrows('forbidden:fulfilment.person_required');
      given([])
        .when(dispatch({ callOff: { ...callOff, contractStatus: 'terminated' } }))
        .thenThrows('conflict:fulfilment.contract_not_in_force');
      given([])
        .when(dispatch({ lines: [{ sku: 'NUT', quantity: '1', batch: null, serialNumbers: [] }] }))
        .thenThrows('invalid:fulfilment.unknown_item');
      given([])
        .when(
          dispatch({
            lines: [
              { sku: 'BOLT', quantity: '1', batch: null, serialNumbers: [] },
              { sku: 'BOLT', quantity: '2', batch: null, serialNumbers: [] },
            ],
          }),
        )
        .thenThrows('invalid:fulfilment.duplicate_line');
      given(dispatched)
        .when(dispatch({ lines: [{ sku: 'S355', quantity: '1', batch: null, serialNumbers: [] }] }))
        .thenThrows('conflict:fulfilment.already_exists');
    });
  });

  describe('goods receipt', () => {
    it('records received, accepted and rejected per line, with what was dispatched, and whether it came on time', () => {
      const [e] = given(dispatched).when(receive()).events;
      expect(e).toEqual({
        type: 'GoodsReceived',
        data: expect.objectContaining({
          deliveryId: delivery1,
          lines: [
            { sku: 'S355', unit: 'TNE', dispatched: '60', received: '60', accepted: '58', rejected: '2', reason: 'two plates cracked' },
            { sku: 'BOLT', unit: 'H87', dispatched: '1000', received: '1000', accepted: '1000', rejected: '0', reason: null },
          ],
          receivedBy: clerk.personId,
          expectedArrival: '2027-03-04',
          onTime: true,
          ticket: null,
          documents: [],
        }),
      });
      // The expected day counts whole: late from the next day on.
      expect(given(dispatched).when(receive({ now: new Date('2027-03-04T23:59:00Z') })).events[0].data).toMatchObject({ onTime: true });
      expect(given(dispatched).when(receive({ now: new Date('2027-03-05T00:01:00Z') })).events[0].data).toMatchObject({ onTime: false });
    });
    it('takes a short delivery; refuses an over-delivery, more accepted than received, a rejection without reason', () => {
      const short = receive({
        lines: [
          { sku: 'S355', received: '59.5', accepted: '59.5', reason: null },
          { sku: 'BOLT', received: '0', accepted: '0', reason: null },
        ],
      });
      expect(given(dispatched).when(short).events[0].type).toBe('GoodsReceived');
      given(dispatched)
        .when(
          receive({
            lines: [
              { sku: 'S355', received: '60.0001', accepted: '60', reason: null },
              { sku: 'BOLT', received: '1000', accepted: '1000', reason: null },
            ],
          }),
        )
        .thenThrows('conflict:fulfilment.over_delivery');
      given(dispatched)
        .when(
          receive({
            lines: [
              { sku: 'S355', received: '59', accepted: '60', reason: null },
              { sku: 'BOLT', received: '1000', accepted: '1000', reason: null },
            ],
          }),
        )
        .thenThrows('invalid:fulfilment.accepted_above_received');
      given(dispatched)
        .when(
          receive({
            lines: [
              { sku: 'S355', received: '60', accepted: '50', reason: null },
              { sku: 'BOLT', received: '1000', accepted: '1000', reason: null },
            ],
          }),
        )
        .thenThrows('invalid:fulfilment.rejection_reason_required');
    });
    it('accounts for every line of the delivery and nothing else; receives a delivery once', () => {
      given(dispatched)
        .when(receive({ lines: [{ sku: 'S355', received: '60', accepted: '60', reason: null }] }))
        .thenThrows('invalid:fulfilment.receipt_incomplete');
      given(history(dispatch({ lines: [{ sku: 'S355', quantity: '60', batch: null, serialNumbers: [] }] })))
        .when(receive())
        .thenThrows('invalid:fulfilment.not_on_delivery');
      given(received).when(receive()).thenThrows('conflict:fulfilment.already_received');
      given(dispatched)
        .when(receive({ deliveryId: delivery2 }))
        .thenThrows('not_found:fulfilment.delivery_not_found');
    });
    it('refuses a ticket once the contract is no longer in force (the service desk would not open it)', () => {
      given(dispatched)
        .when(receive({ callOff: { ...callOff, contractStatus: 'terminated' }, ticket: { severity: 'major', sku: 'S355', description: 'cracks' } }))
        .thenThrows('conflict:fulfilment.contract_not_in_force');
      expect(given(dispatched).when(receive({ callOff: { ...callOff, contractStatus: 'terminated' } })).events[0].type).toBe('GoodsReceived');
    });
    it('is the buyer’s to record', () => {
      given(dispatched)
        .when(receive({ requester: shipper }))
        .thenThrows('forbidden:fulfilment.buyer_only');
    });
    it('asks for a service ticket for rejected goods in the same step, under a severity the contract has an SLA for', () => {
      const ticket = { severity: 'major' as const, sku: 'S355', description: 'cracks' };
      expect(given(dispatched).when(receive({ ticket })).events[0].data).toMatchObject({ ticket });
      given(dispatched)
        .when(receive({ ticket: { ...ticket, sku: 'BOLT' } }))
        .thenThrows('invalid:fulfilment.ticket_without_rejection');
      given(dispatched)
        .when(receive({ ticket: { ...ticket, severity: 'minor' } }))
        .thenThrows('invalid:fulfilment.no_sla_for_severity');
    });
  });

  describe('documents', () => {
    it('go with the dispatch advice (the supplier’s) and the receipt (the buyer’s); the delivery keeps both', () => {
      const withCertificate = history(dispatch({ documents: [certificate] }));
      expect(withCertificate[0].data).toMatchObject({ documents: [certificate] });
      const [receipt] = given(withCertificate).when(receive({ documents: [inspection] })).events;
      expect(receipt.data).toMatchObject({ documents: [inspection] });
      const state = given([...withCertificate, receipt]).state;
      expect(state.status === 'active' && state.deliveries[delivery1]).toMatchObject({ documents: [certificate], receiptDocuments: [inspection] });
      expect(fulfilmentView(callOff, state, shipper, callOffId, at(4)).deliveries[0]).toMatchObject({
        documents: [certificate],
        receiptDocuments: [inspection],
      });
    });
    it('are found for either party when a delivery or receipt carries them; strangers get 404', () => {
      const state = given(history(dispatch({ documents: [certificate] }), receive({ documents: [inspection] }))).state;
      expect(attachedDocument(state, certificate.sha256)).toEqual(certificate);
      expect(callOffDocument(callOff, state, clerk, callOffId, inspection.sha256)).toEqual(inspection);
      expect(callOffDocument(callOff, state, shipper, callOffId, doc(3).sha256)).toBeNull();
      expect(attachedDocument(given([]).state, certificate.sha256)).toBeNull();
      expect(() => callOffDocument(callOff, state, p(stranger, 1), callOffId, certificate.sha256)).toThrow(/no call-off/);
    });
    it('are at most 20 on one dispatch advice or receipt, each named once', () => {
      const many = Array.from({ length: 21 }, (_, i) => doc(i + 1));
      expect(given([]).when(dispatch({ documents: many.slice(0, 20) })).events[0].data).toMatchObject({ documents: many.slice(0, 20) });
      given([])
        .when(dispatch({ documents: many }))
        .thenThrows('invalid:fulfilment.too_many_documents');
      given(dispatched)
        .when(receive({ documents: many }))
        .thenThrows('invalid:fulfilment.too_many_documents');
      given([])
        .when(dispatch({ documents: [certificate, { ...certificate, name: 'again.pdf' }] }))
        .thenThrows('invalid:fulfilment.duplicate_document');
      given(dispatched)
        .when(receive({ documents: [inspection, inspection] }))
        .thenThrows('invalid:fulfilment.duplicate_document');
    });
  });

  describe('invoices and the three-way match', () => {
    it('matches lines at the contract price within the accepted quantity; VAT per line; due date and early-payment discount from the payment terms', () => {
      const [e] = given(received).when(invoice()).events;
      expect(e.type).toBe('InvoiceIssued');
      expect(e.data).toMatchObject({
        status: 'matched',
        // 58 x 940 = 54520; 1000 x 0.25 = 250.
        net: '54770.00',
        vat: '10406.30',
        gross: '65176.30',
        disputedAmount: '0.00',
        dueDate: '2027-04-04',
        dueDateFrom: 'contract',
        earlyPayment: { until: '2027-03-15', discountPercent: '2', discount: '1303.53', payable: '63872.77' },
      });
      expect((e.data as { lines: unknown[] }).lines[0]).toEqual({
        sku: 'S355',
        unit: 'TNE',
        quantity: '58',
        unitPrice: '940.00',
        vatRate: '19',
        net: '54520.00',
        vat: '10358.80',
        contractUnitPrice: '940.00',
        acceptedNotInvoiced: '58',
        match: 'matched',
        issues: [],
        difference: '0.00',
      });
    });
    it('disputes a price above the contract’s, and quantity beyond what was accepted, by the difference', () => {
      const [e] = given(received).when(invoice({ lines: [{ sku: 'S355', quantity: '60', unitPrice: '950.00', vatRate: '19' }] })).events;
      expect(e.data).toMatchObject({ status: 'disputed', net: '57000.00', disputedAmount: '2480.00' });
      // 60 x 950 = 57000, of which 58 x 940 = 54520 is matched.
      expect((e.data as { lines: { issues: string[]; difference: string }[] }).lines[0]).toMatchObject({
        match: 'disputed',
        issues: ['price_above_contract', 'quantity_above_accepted'],
        difference: '2480.00',
      });
    });
    it('never matches the same accepted quantity twice; a withdrawn invoice frees it', () => {
      const again = invoice({ invoiceId: invoice2, number: 'INV-2', lines: [{ sku: 'BOLT', quantity: '1', unitPrice: '0.25', vatRate: '19' }] });
      expect(given(invoiced).when(again).events[0].data).toMatchObject({ status: 'disputed' });
      const withdrawn = [
        ...invoiced,
        ...given(invoiced).when({ type: 'WithdrawInvoice', callOffId, callOff, invoiceId: invoice1, reason: 'redo', requester: shipper, now: at(5) }).events,
      ];
      expect(given(withdrawn).when(again).events[0].data).toMatchObject({ status: 'matched' });
    });
    it('disputes an invoice for goods not yet received', () => {
      expect(given(dispatched).when(invoice()).events[0].data).toMatchObject({ status: 'disputed', disputedAmount: '54770.00' });
    });
    it('refuses another currency, an unknown item, a VAT rate above 100, the buyer, an invoice id twice', () => {
      given(received)
        .when(invoice({ currency: 'USD' }))
        .thenThrows('invalid:fulfilment.currency_mismatch');
      given(received)
        .when(invoice({ lines: [{ sku: 'NUT', quantity: '1', unitPrice: '1', vatRate: '0' }] }))
        .thenThrows('invalid:fulfilment.unknown_item');
      given(received)
        .when(invoice({ lines: [{ sku: 'BOLT', quantity: '1', unitPrice: '0.25', vatRate: '100.01' }] }))
        .thenThrows('invalid:fulfilment.vat_rate');
      given(received)
        .when(invoice({ requester: clerk }))
        .thenThrows('forbidden:fulfilment.supplier_only');
      given(invoiced).when(invoice()).thenThrows('conflict:fulfilment.already_exists');
    });
    it('keeps invoice money in the currency’s minor unit: nets, VAT and discounts in cents', () => {
      const [e] = given(received).when(invoice({ lines: [{ sku: 'BOLT', quantity: '1', unitPrice: '0.2501', vatRate: '19' }] })).events;
      // 1 x 0.2501 = 0.25; VAT 19 % of 0.25 = 0.0475 -> 0.05.
      expect(e.data).toMatchObject({ net: '0.25', vat: '0.05', gross: '0.30', earlyPayment: { discount: '0.01', payable: '0.29' } });
    });
    it('refuses a unit price of zero and a stated due date before the invoice', () => {
      given(received)
        .when(invoice({ lines: [{ sku: 'BOLT', quantity: '1', unitPrice: '0', vatRate: '19' }] }))
        .thenThrows('invalid:fulfilment.price_not_positive');
      given(received)
        .when(invoice({ callOff: { ...callOff, paymentTerms: null }, dueDate: '2027-03-04' }))
        .thenThrows('invalid:fulfilment.due_date_in_past');
    });
    it('takes the due date from the invoice only when the contract’s terms are not in a recognised form', () => {
      const free = { ...callOff, paymentTerms: null };
      given(received)
        .when(invoice({ callOff: free }))
        .thenThrows('invalid:fulfilment.due_date_required');
      expect(given(received).when(invoice({ callOff: free, dueDate: '2027-06-01' })).events[0].data).toMatchObject({
        dueDate: '2027-06-01',
        dueDateFrom: 'invoice',
        earlyPayment: null,
      });
      given(received)
        .when(invoice({ dueDate: '2027-06-01' }))
        .thenThrows('invalid:fulfilment.due_date_from_contract');
    });
  });

  describe('payment', () => {
    it('pays the discounted amount while the discount runs, the gross after; late after the due date', () => {
      expect(given(invoiced).when(pay('63872.77', 14)).events[0].data).toMatchObject({ amount: '63872.77', discountTaken: '1303.53', late: false });
      given(invoiced).when(pay('65176.30', 14)).thenThrows('invalid:fulfilment.payment_amount');
      expect(given(invoiced).when(pay('65176.30', 15)).events[0].data).toMatchObject({ amount: '65176.30', discountTaken: '0.00', late: false });
      expect(given(invoiced).when(pay('65176.30', 35)).events[0].data).toMatchObject({ late: true, dueDate: '2027-04-04' });
    });
    it('refuses a disputed invoice, one paid already or withdrawn, the supplier, an unknown invoice', () => {
      const disputed = [...received, ...given(received).when(invoice({ lines: [{ sku: 'S355', quantity: '60', unitPrice: '940', vatRate: '0' }] })).events];
      given(disputed).when(pay('56400.00', 30)).thenThrows('conflict:fulfilment.invoice_disputed');
      const paid = [...invoiced, ...given(invoiced).when(pay('65176.30', 20)).events];
      given(paid).when(pay('65176.30', 21)).thenThrows('conflict:fulfilment.invoice_closed');
      given(paid)
        .when({ type: 'WithdrawInvoice', callOffId, callOff, invoiceId: invoice1, reason: 'x', requester: shipper, now: at(22) })
        .thenThrows('conflict:fulfilment.invoice_closed');
      given(invoiced)
        .when({ ...pay('65176.30', 20), requester: shipper } as FulfilmentCommand)
        .thenThrows('forbidden:fulfilment.buyer_only');
      given(invoiced)
        .when(pay('1', 20, invoice2))
        .thenThrows('not_found:fulfilment.invoice_not_found');
    });
  });

  describe('the view', () => {
    it('shows each line’s progress and flags an unpaid invoice past its due date; strangers get 404', () => {
      const state = given(invoiced).state;
      const view = fulfilmentView(callOff, state, clerk, callOffId, at(40));
      expect(view.lines[0]).toMatchObject({
        ordered: '100.5',
        dispatched: '60',
        inTransit: '0',
        received: '60',
        accepted: '58',
        rejected: '2',
        invoiced: '58',
      });
      expect(view.invoices[0]).toMatchObject({ status: 'matched', overdue: true, payableToday: '65176.30' });
      expect(fulfilmentView(callOff, state, clerk, callOffId, at(5)).invoices[0]).toMatchObject({ overdue: false, payableToday: '63872.77' });
      expect(() => fulfilmentView(callOff, state, p(stranger, 1), callOffId, at(5))).toThrow(/no call-off/);
      // A disputed invoice is not the buyer's to pay: never overdue.
      const disputed = given(received).when(invoice({ lines: [{ sku: 'S355', quantity: '60', unitPrice: '940', vatRate: '0' }] })).events;
      expect(fulfilmentView(callOff, given([...received, ...disputed]).state, clerk, callOffId, at(40)).invoices[0]).toMatchObject({
        status: 'disputed',
        overdue: false,
      });
    });
  });
});
