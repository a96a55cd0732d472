import { ticketListChange } from './ticket-list';

const ref = { ticketId: 't-1', contractId: 'c-1', buyerId: 'b-1', supplierId: 's-1' };
const opened = {
  type: 'TicketOpened',
  data: {
    ...ref,
    sku: 'HU-10IN',
    severity: 'critical',
    description: 'Reboots on cold start',
    openedBy: 'p-1',
    openedAt: '2027-01-01T08:00:00.000Z',
    responseDueAt: '2027-01-01T12:00:00.000Z',
    resolutionDueAt: '2027-01-02T08:00:00.000Z',
  },
};
const change = (type: string, data: Record<string, unknown> = {}) => ticketListChange({ type, data: { ...ref, ...data } } as never);

describe('ticket list rows follow the ticket events', () => {
  it('starts a row at the opening with both deadlines running', () => {
    expect(ticketListChange(opened as never)).toEqual({
      created: {
        ...ref,
        sku: 'HU-10IN',
        severity: 'critical',
        status: 'open',
        description: 'Reboots on cold start',
        openedAt: '2027-01-01T08:00:00.000Z',
        responseDueAt: '2027-01-01T12:00:00.000Z',
        resolutionDueAt: '2027-01-02T08:00:00.000Z',
        escalations: 0,
        text: 'HU-10IN Reboots on cold start',
      },
    });
  });

  it('moves the status as the decider does and stops each deadline when the SLA clock does', () => {
    expect(change('TicketAcknowledged', { by: 'p', at: 'x', withinSla: true })).toEqual({
      changed: { ticketId: 't-1', status: 'acknowledged', responseDueAt: null },
    });
    expect(change('TicketEscalated', { by: 'p', level: 2, note: '' })).toEqual({ changed: { ticketId: 't-1', escalations: 2 } });
    expect(change('TicketResolved', { by: 'p', at: 'x', resolution: 'r', withinSla: true })).toEqual({
      changed: { ticketId: 't-1', status: 'resolved', responseDueAt: null, resolutionDueAt: null },
    });
    expect(change('TicketReopened', { by: 'p', reason: 'r', resolutionDueAt: '2027-01-05T08:00:00.000Z' })).toEqual({
      changed: { ticketId: 't-1', status: 'reopened', resolutionDueAt: '2027-01-05T08:00:00.000Z' },
    });
    expect(change('TicketClosed', { by: 'p', satisfaction: 4, comment: null })).toEqual({
      changed: { ticketId: 't-1', status: 'closed', responseDueAt: null, resolutionDueAt: null },
    });
  });

  it('records a breach and stops only the deadline that was breached', () => {
    const breach = (kind: string) => change('SlaBreached', { kind, severity: 'critical', dueAt: '2027-01-01T12:00:00.000Z', detectedAt: 'x' });
    expect(breach('response')).toEqual({
      changed: { ticketId: 't-1', responseDueAt: null, breach: { kind: 'response', dueAt: '2027-01-01T12:00:00.000Z' } },
    });
    expect(breach('resolution')).toEqual({
      changed: { ticketId: 't-1', resolutionDueAt: null, breach: { kind: 'resolution', dueAt: '2027-01-01T12:00:00.000Z' } },
    });
  });

  it('only touches the row for a document attached (nothing the list shows changes)', () => {
    const document = { name: 'photo.png', sha256: 'ab'.repeat(32), size: 10, mediaType: 'image/png' };
    expect(change('TicketDocumentAttached', { document, attachedBy: 'p', attachedByCompany: 'b-1' })).toEqual({ changed: { ticketId: 't-1' } });
  });

  it('ignores what is not a ticket event', () => {
    expect(change('SomethingElse')).toBeNull();
  });
});
