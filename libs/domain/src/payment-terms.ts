/**
 * Payment terms as the fulfilment context reads them from a contract's `paymentTerms`: days net
 * and an optional discount for early payment. Contracts record the terms as the parties wrote
 * them; these are the forms recognised (case-insensitive), the trade's usual ones:
 *   "30 days net", "net 30", "net 30 days", "60 days", "payable within 45 days"
 *   "2/10 net 30", "2% 10 days, net 30", "2% discount within 10 days, 30 days net"
 * Anything else reads as null: the invoice then has to state its due date.
 */
export interface PaymentTerms {
  daysNet: number;
  earlyPayment: { days: number; discountPercent: string } | null;
}

const DISCOUNT = /\b(\d{1,2}(?:\.\d{1,2})?)\s*(?:%|\/)\s*(?:discount\s+)?(?:if\s+paid\s+)?(?:within\s+)?(\d{1,3})(?!\d)(?:\s*days?)?/;
/** Most explicit first: "60 days net" and "net 60" win over another "N days" in the text. */
const NET = [/\b(\d{1,3})(?!\d)\s*days?\s+net\b/, /\bnet\s*(\d{1,3})(?!\d)/, /\b(\d{1,3})(?!\d)\s*days?\b/];
/** Terms counted from another day than the invoice's: not read, never guessed. */
const OTHER_BASIS = /\b(eom|end of (?:the )?month|after delivery|from delivery|of delivery|from receipt|after receipt)\b/;

export function parsePaymentTerms(text: string): PaymentTerms | null {
  let rest = text.toLowerCase();
  if (OTHER_BASIS.test(rest) || /\d{4,}/.test(rest)) return null;
  let earlyPayment: PaymentTerms['earlyPayment'] = null;
  const d = DISCOUNT.exec(rest);
  if (d) {
    earlyPayment = { discountPercent: d[1], days: Number(d[2]) };
    rest = rest.slice(0, d.index) + rest.slice(d.index + d[0].length);
  }
  // A percent or fraction left over is a discount in a form not recognised: no guessing.
  if (/[%/]/.test(rest)) return null;
  for (const pattern of NET) {
    const m = pattern.exec(rest);
    if (!m) continue;
    // A bare "N days" is read only when it is the one number of days left in the text.
    if (pattern === NET[2] && (rest.match(/\b\d{1,3}\s*days?\b/g) ?? []).length > 1) return null;
    const daysNet = Number(m[1]);
    if (daysNet < 0 || daysNet > 365) return null;
    if (earlyPayment && (earlyPayment.days > daysNet || Number(earlyPayment.discountPercent) >= 100)) return null;
    return { daysNet, earlyPayment };
  }
  return null;
}
