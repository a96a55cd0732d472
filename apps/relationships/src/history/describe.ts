import { compareAmounts, compareQuantities } from '@dealledger/domain';
import type { TimelineEvent } from './timeline-event';

/** A one-line, human summary of an event; `name` turns company ids into names where known. */
export function describe(e: TimelineEvent, name: (id: string) => string): string {
  const d = e.data;
  // Quantities are decimal strings; timeline rows kept from version-1 events hold integers, which read the same.
  const items = (xs: { quantity: string | number; sku?: string; itemId?: string; unitPrice: string }[]) =>
    xs.map((i) => `${i.quantity} × ${i.sku ?? i.itemId} @ ${i.unitPrice}`).join(', ');
  switch (e.type) {
    case 'CompanyRegistered':
      return `${d.name} joined the ledger (${d.roles.join(', ')})`;
    case 'OfferDrafted':
      return `${name(d.supplierId)} drafted an offer to ${name(d.buyerId)} (${d.items.length} item(s), valid until ${d.validUntil.slice(0, 10)})`;
    case 'OfferSubmitted':
      return `${name(d.supplierId)} submitted offer revision ${d.revision} to ${name(d.buyerId)}`;
    case 'OfferCountered':
      return `${name(d.buyerId)} countered revision ${d.revision}: ${d.note || `${d.proposals.length} proposal(s)`}`;
    case 'OfferRevised':
      return `${name(d.supplierId)} revised the offer (revision ${d.revision}): ${d.note}`;
    case 'OfferAccepted':
      return `${name(d.buyerId)} accepted ${items(d.items)} — ${d.total} ${d.currency}`;
    case 'OfferRejected':
      return `${name(d.buyerId)} rejected the offer: ${d.reason}`;
    case 'OfferWithdrawn':
      return `${name(d.supplierId)} withdrew the offer: ${d.reason}`;
    case 'OfferDocumentAttached':
      return `${name(d.supplierId)} attached “${d.document.name}” to the offer`;
    case 'ClarificationRequested':
      return `${name(d.supplierId)} asked ${name(d.buyerId)} about the tender: ${d.question}`;
    case 'ClarificationAnswered':
      return `${name(d.buyerId)} answered a question on the tender: ${d.question} — ${d.answer}`;
    case 'TenderOpened':
      return `${name(d.buyerId)} opened tender “${d.title}”${d.publicProcurement ? ' (public procurement)' : ''}${d.procedure === 'open' ? ', published as an open notice' : ''}`;
    case 'TenderDocumentAttached':
      return `${name(d.buyerId)} attached “${d.document.name}” to the tender`;
    case 'TicketDocumentAttached':
      return `${name(d.attachedByCompany)} attached “${d.document.name}” to the ticket`;
    case 'OfferExpired':
      return `The offer expired unaccepted (valid until ${d.validUntil.slice(0, 10)})`;
    case 'SuppliersInvited':
      return `${name(d.buyerId)} invited ${d.supplierIds.map(name).join(', ')} to tender`;
    case 'BidSubmitted':
      return `${name(d.supplierId)} submitted a sealed bid`;
    case 'BidWithdrawn':
      return `${name(d.supplierId)} withdrew its bid`;
    case 'TenderClosed':
      return d.ownBidOnly ? 'Tender closed and the bids were opened' : `Tender closed with ${d.bids.length} bid(s) opened`;
    case 'BidEvaluated':
      return `An evaluator of ${name(d.buyerId)} scored the bid of ${name(d.supplierId)}`;
    case 'TenderAwarded': {
      // Until then a losing bidder may complain.
      const provisional = d.standstillUntil ? ` (provisional until ${d.standstillUntil.slice(0, 10)})` : '';
      const what = awarded(d);
      // A private tender's loser sees that it was awarded, not to whom nor for how much.
      if (d.supplierId === undefined) return `${name(d.buyerId)} awarded ${what} to another bidder${provisional}`;
      return `${name(d.buyerId)} awarded ${what} to ${name(d.supplierId)} — ${d.total} ${d.currency}${provisional}`;
    }
    case 'AwardComplaintFiled':
      return `${name(d.supplierId)} complained about the award${ofLot(d)}: ${d.grounds}`;
    case 'AwardComplaintResolved':
      return `${name(d.buyerId)} ${d.upheld ? 'upheld' : 'dismissed'} the complaint of ${name(d.supplierId)}${ofLot(d) && ` about the award${ofLot(d)}`}: ${d.resolution}`;
    case 'LotCancelled':
      return `${name(d.buyerId)} cancelled lot “${d.lotId}”, which will not be awarded: ${d.reason}`;
    case 'AwardAnnulled': {
      const anew = lotOf(d) === null ? 'the tender' : 'the lot';
      // A losing bidder is not told whom it concerns (see visibility).
      if (d.supplierId === undefined) return `${name(d.buyerId)} annulled the award${ofLot(d)} to another bidder, to award ${anew} anew: ${d.reason}`;
      return `${name(d.buyerId)} annulled the award${ofLot(d)} to ${name(d.supplierId)}, to award ${anew} anew: ${d.reason}`;
    }
    case 'AwardFinalised': {
      const what = awarded(d);
      if (d.supplierId === undefined) return `The award of ${what} to another bidder became final`;
      return `The award of ${what} to ${name(d.supplierId)} became final — ${d.total} ${d.currency}`;
    }
    case 'TenderCancelled':
      return `${name(d.buyerId)} cancelled the tender: ${d.reason}`;
    case 'ContractDrafted':
      return `Contract drafted from ${d.origin.kind} ${d.origin.id.slice(0, 8)}`;
    case 'ContractAmended':
      return `${name(d.amendedByCompany)} amended the contract (${d.changed.join(', ')}); ${d.voidedSignatures.length} signature(s) void`;
    case 'ContractSigned':
      return `${name(d.companyId)} signed as ${d.role} (terms v${d.termsVersion})`;
    case 'ContractExecuted':
      return `Contract in force: ${d.contractValue} ${d.terms.currency}, ${d.signatures.length} signatures`;
    case 'CallOffPlaced':
      return `Call-off: ${items(d.lines)} — ${d.total} ${d.currency}`;
    case 'ContractRenewalProposed':
      return `${name(d.proposedByCompany)} proposed renewal to ${d.newEndDate.slice(0, 10)}`;
    case 'ContractRenewed':
      return `Contract renewed to ${d.endDate.slice(0, 10)}`;
    case 'ContractTerminated':
      return `${name(d.terminatedByCompany)} terminated the contract: ${d.reason}`;
    case 'ContractExpired':
      return `Contract expired on ${d.endDate.slice(0, 10)}`;
    case 'LotRecorded':
      return `${name(d.ownerId)} received ${d.quantity === undefined ? '' : `${d.quantity} × `}${d.sku} from ${name(d.sellerId)}`;
    case 'LotResold':
      return `${name(d.ownerId)} resold ${d.quantity === undefined ? '' : `${d.quantity} × `}${d.sku} (made by ${name(d.originSupplierId)}) to ${name(d.buyerId)}`;
    case 'TicketOpened':
      return `${name(d.buyerId)} opened a ${d.severity} ticket on ${d.sku}: ${d.description}`;
    case 'TicketAcknowledged':
      return `${name(d.supplierId)} responded${d.withinSla ? ' within' : ' outside'} the SLA`;
    case 'TicketEscalated':
      return `${name(d.supplierId)} escalated the ticket (level ${d.level})`;
    case 'TicketResolved':
      return `${name(d.supplierId)} resolved the ticket${d.withinSla ? ' within' : ' outside'} the SLA: ${d.resolution}`;
    case 'TicketReopened':
      return `${name(d.buyerId)} reopened the ticket: ${d.reason}`;
    case 'TicketClosed':
      return `${name(d.buyerId)} closed the ticket, satisfaction ${d.satisfaction}/5`;
    case 'SlaBreached':
      return `SLA breached: no ${d.kind} by ${d.dueAt}`;
    case 'TouchRecorded':
      return `${name(d.sellerId)} reached the account by ${TOUCH_CHANNEL_TEXT[d.channel] ?? d.channel} (${d.sellerPeople.length} of its people, ${d.stakeholderIds.length} of theirs): ${d.summary}`;
    case 'DeliveryDispatched':
    case 'GoodsReceived':
    case 'InvoiceIssued':
    case 'InvoiceWithdrawn':
    case 'InvoicePaid':
      return fulfilment(e, name);
    default:
      return e.type;
  }
}

/** A seller's touch (shown only to the seller), by its channel. */
const TOUCH_CHANNEL_TEXT: Record<string, string> = {
  conference: 'a conference meeting',
  demonstration: 'a demonstration',
  direct_mail: 'direct mail',
  email: 'e-mail',
  call: 'a call',
  visit: 'a visit',
  trade_publication: 'a trade publication',
  linkedin: 'LinkedIn',
};

/** The lot an award event concerns: null for a tender awarded whole (and in rows kept before lots, which have no `lotId`). */
const lotOf = (d: { lotId?: unknown }): string | null => (typeof d.lotId === 'string' ? d.lotId : null);
const ofLot = (d: { lotId?: unknown }) => (lotOf(d) === null ? '' : ` of lot “${lotOf(d)}”`);
/** What an award gives: the tender, or one of its lots. */
const awarded = (d: { lotId?: unknown; title: string }) => (lotOf(d) === null ? `“${d.title}”` : `lot “${lotOf(d)}” of “${d.title}”`);

type Receipt = { sku: string; unit: string; dispatched: string; accepted: string; rejected: string; reason: string | null };

/** Units are UN/ECE Recommendation 20 codes (TNE, H87), printed as they are. */
function fulfilment(e: TimelineEvent, name: (id: string) => string): string {
  const d = e.data;
  switch (e.type) {
    case 'DeliveryDispatched': {
      const lines = d.lines.map((l: { quantity: string; unit: string; sku: string }) => `${l.quantity} ${l.unit} ${l.sku}`).join(', ');
      return `${name(d.supplierId)} dispatched ${lines} by ${d.carrier}, expected ${d.expectedArrival.slice(0, 10)}`;
    }
    case 'GoodsReceived': {
      const lines = d.lines.map(
        (l: Receipt) =>
          `${l.accepted} of ${l.dispatched} ${l.unit} ${l.sku} accepted` +
          (compareQuantities(l.rejected, '0') > 0 ? `, ${l.rejected} rejected (${l.reason})` : ''),
      );
      return `${name(d.buyerId)} received delivery${d.onTime ? '' : ' late'}: ${lines.join('; ')}`;
    }
    case 'InvoiceIssued': {
      const issues = [...new Set(d.lines.flatMap((l: { issues: string[] }) => l.issues))].map((i) => String(i).replace(/_/g, ' '));
      const match = d.status === 'matched' ? 'matched' : `disputed by ${d.disputedAmount} ${d.currency} (${issues.join(', ')})`;
      return `${name(d.supplierId)} issued invoice ${d.number}: ${d.gross} ${d.currency}, ${match}, due ${d.dueDate}`;
    }
    case 'InvoiceWithdrawn':
      return `${name(d.supplierId)} withdrew an invoice: ${d.reason}`;
    case 'InvoicePaid': {
      const discount = compareAmounts(d.discountTaken, '0') > 0 ? ` (${d.discountTaken} early-payment discount)` : '';
      return `${name(d.buyerId)} paid an invoice: ${d.amount} ${d.currency}${discount}${d.late ? `, late (due ${d.dueDate})` : ''}`;
    }
    default:
      return e.type;
  }
}
