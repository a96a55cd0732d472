import type { Requester } from '@dealledger/domain';
import type { DocumentRef } from '@dealledger/events';
import { deciderSpec } from '@dealledger/testing';
import { resolutionClock, responseClock } from './sla/sla-clock.rules';
import type { KnownContract, TicketCommand } from './ticket.commands';
import { ticketDecider } from './ticket.decider';
import { ticketDocument, ticketHistory, ticketView } from './ticket.stream';

const { given, history } = deciderSpec(ticketDecider);

const buyer = 'b0b0b0b0-0000-4000-8000-000000000001';
const supplier = '5a5a5a5a-0000-4000-8000-000000000002';
const contractId = 'c0c0c0c0-0000-4000-8000-000000000003';
const ticketId = '7a7a7a7a-0000-4000-8000-000000000004';
const p = (companyId: string, n: number): Requester => ({ companyId, personId: `00000000-0000-4000-8000-0000000000${n}`, roles: [] });
const engineer = p(buyer, 10);
const technician = p(supplier, 20);
const contract: KnownContract = {
  contractId,
  buyerId: buyer,
  supplierId: supplier,
  status: 'executed',
  skus: ['HU-10IN'],
  sla: [
    { severity: 'critical', responseHours: 4, resolutionHours: 24 },
    { severity: 'minor', responseHours: 24, resolutionHours: 240 },
  ],
};
const t0 = new Date('2027-05-03T08:00:00Z');
const at = (hours: number) => new Date(t0.getTime() + hours * 3600000);
const openCmd = (over: Partial<Extract<TicketCommand, { type: 'OpenTicket' }>> = {}): TicketCommand => ({
  type: 'OpenTicket',
  ticketId,
  contractId,
  contract,
  sku: 'HU-10IN',
  severity: 'critical',
  description: 'Head unit reboots on cold start',
  requester: engineer,
  now: t0,
  ...over,
});
const ack = (h: number, who = technician): TicketCommand => ({ type: 'AcknowledgeTicket', ticketId, requester: who, now: at(h) });
const resolve = (h: number, who = technician): TicketCommand => ({ type: 'ResolveTicket', ticketId, resolution: 'firmware 2.3.1', requester: who, now: at(h) });
const breach = (kind: 'response' | 'resolution', h: number): TicketCommand => ({ type: 'RecordSlaBreach', ticketId, kind, now: at(h) });
const opened = history(openCmd());
const doc = (n: number, name = `evidence-${n}.png`): DocumentRef => ({
  name,
  sha256: n.toString(16).padStart(64, '0'),
  size: 2000 + n,
  mediaType: 'image/png',
});
const photo = doc(1, 'Cracked housing.jpg');
const attach = (document: DocumentRef, who: Requester = engineer, h = 1): TicketCommand => ({
  type: 'AttachTicketDocument',
  ticketId,
  document,
  requester: who,
  now: at(h),
});

describe('ticket decider', () => {
  describe('opening', () => {
    it('opens under an executed contract with deadlines from its SLA for the severity', () => {
      expect(opened[0].data).toMatchObject({
        contractId,
        buyerId: buyer,
        supplierId: supplier,
        severity: 'critical',
        openedAt: t0.toISOString(),
        responseDueAt: at(4).toISOString(),
        resolutionDueAt: at(24).toISOString(),
      });
    });
    it('is done by the buyer’s people only', () => {
      given([])
        .when(openCmd({ requester: technician }))
        .thenThrows('forbidden:ticket.buyer_only');
      given([])
        .when(openCmd({ requester: { companyId: buyer, personId: null, roles: [] } }))
        .thenThrows('forbidden:ticket.person_required');
    });
    it('refuses an unknown contract, one not in force, an unknown item, a severity without SLA', () => {
      given([])
        .when(openCmd({ contract: null }))
        .thenThrows('not_found:ticket.contract_not_found');
      given([])
        .when(openCmd({ contract: { ...contract, status: 'terminated' } }))
        .thenThrows('conflict:ticket.contract_not_in_force');
      given([])
        .when(openCmd({ sku: 'X' }))
        .thenThrows('invalid:ticket.unknown_item');
      given([])
        .when(openCmd({ severity: 'major' }))
        .thenThrows('invalid:ticket.no_sla_for_severity');
    });
  });

  describe('the supplier’s side', () => {
    it('acknowledges (first response), noting whether it came within the SLA', () => {
      expect(given(opened).when(ack(3)).events[0].data).toMatchObject({ withinSla: true });
      expect(given(opened).when(ack(5)).events[0].data).toMatchObject({ withinSla: false });
    });
    it('escalates and resolves', () => {
      const e = history(openCmd(), ack(1), { type: 'EscalateTicket', ticketId, note: 'needs R&D', requester: technician, now: at(2) }, resolve(20));
      expect(e.map((x) => x.type)).toEqual(['TicketOpened', 'TicketAcknowledged', 'TicketEscalated', 'TicketResolved']);
      expect(e[3].data).toMatchObject({ withinSla: true });
    });
    it('cannot be done by the buyer', () => {
      given(opened).when(ack(1, engineer)).thenThrows('forbidden:ticket.supplier_only');
    });
    it('must respond before resolving', () => {
      given(opened).when(resolve(1)).thenThrows('conflict:ticket.invalid_transition');
    });
  });

  describe('the buyer’s side', () => {
    const resolved = history(openCmd(), ack(1), resolve(5));
    it('closes with a satisfaction score from 1 to 5', () => {
      expect(
        given(resolved).when({ type: 'CloseTicket', ticketId, satisfaction: 4, comment: null, requester: engineer, now: at(6) }).events[0].data,
      ).toMatchObject({ satisfaction: 4 });
      given(resolved)
        .when({ type: 'CloseTicket', ticketId, satisfaction: 6, comment: null, requester: engineer, now: at(6) })
        .thenThrows('invalid:ticket.satisfaction_out_of_range');
    });
    it('reopens, and a new resolution deadline runs', () => {
      const r = given(resolved).when({ type: 'ReopenTicket', ticketId, reason: 'back again', requester: engineer, now: at(30) });
      expect(r.events[0].data).toMatchObject({ resolutionDueAt: at(54).toISOString() });
    });
    it('cannot close an unresolved ticket, nor act for the supplier', () => {
      given(opened)
        .when({ type: 'CloseTicket', ticketId, satisfaction: 3, comment: null, requester: engineer, now: at(1) })
        .thenThrows('conflict:ticket.invalid_transition');
      given(resolved)
        .when({ type: 'CloseTicket', ticketId, satisfaction: 3, comment: null, requester: technician, now: at(6) })
        .thenThrows('forbidden:ticket.buyer_only');
    });
    it('hides the ticket from other companies', () => {
      given(opened)
        .when(ack(1, p('99999999-0000-4000-8000-000000000009', 30)))
        .thenThrows('not_found:ticket.not_found');
    });
  });

  describe('documents (evidence)', () => {
    it('are attached by a person of either party, and the ticket lists them with who attached them', () => {
      given(opened)
        .when(attach(photo))
        .then([
          {
            type: 'TicketDocumentAttached',
            data: { ticketId, contractId, buyerId: buyer, supplierId: supplier, document: photo, attachedBy: engineer.personId!, attachedByCompany: buyer },
          },
        ]);
      const log = doc(2, 'controller.log');
      const events = history(openCmd(), attach(photo), ack(2), attach(log, technician, 3));
      const state = given(events).state;
      expect(ticketView(state, technician, ticketId).documents).toEqual([
        { ...photo, attachedBy: engineer.personId, attachedByCompany: buyer },
        { ...log, attachedBy: technician.personId, attachedByCompany: supplier },
      ]);
      expect(ticketDocument(state, technician, ticketId, photo.sha256)).toMatchObject(photo);
      expect(ticketDocument(state, engineer, ticketId, doc(3).sha256)).toBeNull();
      expect(() => ticketDocument(state, p('99999999-0000-4000-8000-000000000009', 30), ticketId, photo.sha256)).toThrow(/no ticket/);
    });
    it('may come while the ticket is resolved, not once it is closed', () => {
      const resolved = history(openCmd(), ack(1), resolve(5));
      expect(given(resolved).when(attach(photo, engineer, 6)).events[0].type).toBe('TicketDocumentAttached');
      const closed = history(openCmd(), ack(1), resolve(5), { type: 'CloseTicket', ticketId, satisfaction: 4, comment: null, requester: engineer, now: at(6) });
      given(closed)
        .when(attach(photo, engineer, 7))
        .thenThrows('conflict:ticket.invalid_transition');
    });
    it('refuses the same content twice (even under another name or from the other side), a 21st document, a company key, a stranger', () => {
      const once = history(openCmd(), attach(photo));
      given(once)
        .when(attach({ ...photo, name: 'again.jpg' }, technician))
        .thenThrows('conflict:ticket.document_already_attached');
      const twenty = history(openCmd(), ...Array.from({ length: 20 }, (_, i) => attach(doc(i + 1))));
      given(twenty)
        .when(attach(doc(21)))
        .thenThrows('conflict:ticket.too_many_documents');
      given(opened)
        .when(attach(photo, { companyId: supplier, personId: null, roles: [] }))
        .thenThrows('forbidden:ticket.person_required');
      given(opened)
        .when(attach(photo, p('99999999-0000-4000-8000-000000000009', 30)))
        .thenThrows('not_found:ticket.not_found');
      given([]).when(attach(photo)).thenThrows('not_found:ticket.not_found');
    });
    it('leave the SLA clocks running', () => {
      const [, attached] = history(openCmd(), attach(photo));
      expect(responseClock(attached)).toBe('keep');
      expect(resolutionClock(attached)).toBe('keep');
    });
  });

  describe('SLA clocks', () => {
    it('breach the response deadline once when no response came', () => {
      const first = given(opened).when(breach('response', 5));
      expect(first.events[0]).toMatchObject({ type: 'SlaBreached', data: { kind: 'response', dueAt: at(4).toISOString(), detectedAt: at(5).toISOString() } });
      given([...opened, ...first.events])
        .when(breach('response', 6))
        .thenThrows('conflict:ticket.sla_already_breached');
    });
    it('do not breach before the deadline, nor when the response came in time', () => {
      given(opened).when(breach('response', 3)).thenThrows('conflict:ticket.sla_not_due');
      given(history(openCmd(), ack(3)))
        .when(breach('response', 5))
        .thenThrows('conflict:ticket.sla_met');
    });
    it('breach the resolution deadline when the ticket is still unresolved, and again after a reopening', () => {
      const e = history(openCmd(), ack(1), breach('resolution', 25));
      expect(e[2]).toMatchObject({ data: { kind: 'resolution' } });
      const reopened = history(openCmd(), ack(1), resolve(5), { type: 'ReopenTicket', ticketId, reason: 'again', requester: engineer, now: at(30) });
      expect(given(reopened).when(breach('resolution', 55)).events[0].data).toMatchObject({ dueAt: at(54).toISOString() });
    });
    it('emit no breach for a ticket resolved in time', () => {
      given(history(openCmd(), ack(1), resolve(5)))
        .when(breach('resolution', 30))
        .thenThrows('conflict:ticket.sla_met');
    });
    it('run from opening to the matching event', () => {
      expect(responseClock(opened[0])).toEqual({ due: at(4).toISOString() });
      expect(resolutionClock(opened[0])).toEqual({ due: at(24).toISOString() });
      const [, acked] = history(openCmd(), ack(1));
      expect(responseClock(acked)).toBe('clear');
      expect(resolutionClock(acked)).toBe('keep');
    });
  });

  describe('history (GET /tickets/:id/history)', () => {
    it('keeps the words of every step, who took it and when, in order', () => {
      const events = history(
        openCmd(),
        breach('response', 5),
        ack(6),
        { type: 'EscalateTicket', ticketId, note: 'needs R&D', requester: technician, now: at(7) },
        resolve(20),
        { type: 'ReopenTicket', ticketId, reason: 'back again', requester: engineer, now: at(30) },
        resolve(31),
        attach(photo, technician, 31),
        { type: 'CloseTicket', ticketId, satisfaction: 3, comment: 'slow', requester: engineer, now: at(32) },
      );
      const recorded = events.map((event, i) => ({ event, recordedAt: at(i).toISOString() }));
      const steps = ticketHistory(recorded, 'supplier');
      expect(steps.map((s) => s.type)).toEqual([
        'TicketOpened',
        'SlaBreached',
        'TicketAcknowledged',
        'TicketEscalated',
        'TicketResolved',
        'TicketReopened',
        'TicketResolved',
        'TicketDocumentAttached',
        'TicketClosed',
      ]);
      expect(steps[0]).toEqual({
        type: 'TicketOpened',
        at: at(0).toISOString(),
        by: engineer.personId,
        details: { severity: 'critical', sku: 'HU-10IN', description: 'Head unit reboots on cold start' },
      });
      expect(steps[1]).toMatchObject({ by: null, details: { kind: 'response', dueAt: at(4).toISOString() } });
      expect(steps[2].details).toEqual({ withinSla: false });
      expect(steps[3]).toMatchObject({ by: technician.personId, details: { level: 1, note: 'needs R&D' } });
      expect(steps[4].details).toMatchObject({ resolution: 'firmware 2.3.1' });
      expect(steps[5]).toMatchObject({ by: engineer.personId, details: { reason: 'back again' } });
      expect(steps[7]).toEqual({
        type: 'TicketDocumentAttached',
        at: at(7).toISOString(),
        by: technician.personId,
        details: { document: photo, attachedByCompany: supplier },
      });
      expect(steps[8].details).toEqual({ satisfaction: 3, comment: 'slow' });
      // The buyer reads the same steps, without the supplier's internal escalation note.
      const asBuyer = ticketHistory(recorded, 'buyer');
      expect(asBuyer[3].details).toEqual({ level: 1 });
      expect(asBuyer.filter((_, i) => i !== 3)).toEqual(steps.filter((_, i) => i !== 3));
    });
  });
});
