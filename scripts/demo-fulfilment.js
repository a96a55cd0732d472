// The demo's fulfilment: after the call-off, deliveries, goods receipt with inspection,
// invoices three-way matched (one disputed, withdrawn and issued again) and payment.

async function call(base, method, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  return { ok: res.ok, status: res.status, json };
}

async function must(base, method, path, body, token) {
  const r = await call(base, method, path, body, token);
  if (!r.ok) throw new Error(`${path}: ${r.status} ${r.json.detail ?? JSON.stringify(r.json)}`);
  return r.json;
}

/** The fulfilment app learns a call-off from the contracts topic: wait until it knows it. */
async function knownCallOff(url, callOffId, token) {
  for (let i = 0; i < 300; i++) {
    const r = await call(url, 'GET', `/call-offs/${callOffId}`, undefined, token);
    if (r.ok) return r.json;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the fulfilment app did not learn call-off ${callOffId}`);
}

const today = (days = 0) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
const lastDelivery = (view) => view.deliveries[view.deliveries.length - 1];
const invoiceNumbered = (view, number) => view.invoices.find((i) => i.number === number);

/**
 * Steel for the car maker: a call-off of 120.5 t delivered in two lots; 2.25 t fail inspection
 * and the receiving engineer opens a ticket in the same step; Nordstahl first invoices all
 * 120.5 t (disputed: more than was accepted), withdraws it and invoices the 118.25 t accepted,
 * which the CFO pays. The distributor's 800 battery modules: 790 pass inspection, invoiced and paid.
 */
async function loadFulfilment(urls, c, contracts) {
  const lines = [];
  const carmaker = c.carmaker;
  const steelContract = contracts.contracts.steel;
  const steelCallOff = await must(
    urls.contracts,
    'POST',
    `/contracts/${steelContract.contractId}/call-offs`,
    { lines: [{ sku: 'DC04-COIL-1.2', quantity: '120.5' }] },
    carmaker.persons.procurement,
  );
  const steel = `/call-offs/${steelCallOff.callOffId}`;
  const nordstahl = c.steel.persons.executive;
  await knownCallOff(urls.fulfilment, steelCallOff.callOffId, nordstahl);
  const first = lastDelivery(
    await must(
      urls.fulfilment,
      'POST',
      `${steel}/deliveries`,
      { lines: [{ sku: 'DC04-COIL-1.2', quantity: '80', batch: 'NS-4471-B' }], carrier: 'Rhenus Logistics', expectedArrival: today(2) },
      nordstahl,
    ),
  );
  const second = lastDelivery(
    await must(
      urls.fulfilment,
      'POST',
      `${steel}/deliveries`,
      { lines: [{ sku: 'DC04-COIL-1.2', quantity: '40.5', batch: 'NS-4472-A' }], carrier: 'Rhenus Logistics', expectedArrival: today(5) },
      nordstahl,
    ),
  );
  lines.push(`  steel call-off 120.5 t: ${c.steel.name} dispatched 80 t and 40.5 t (two deliveries)`);
  await must(
    urls.fulfilment,
    'POST',
    `${steel}/deliveries/${first.deliveryId}/receipt`,
    {
      lines: [{ sku: 'DC04-COIL-1.2', received: '80', accepted: '77.75', reason: 'Edge cracks on one coil after deep drawing' }],
      ticket: { severity: 'major', sku: 'DC04-COIL-1.2', description: 'Coil NS-4471-B/07 cracks at the edges in the press' },
    },
    carmaker.persons.engineer,
  );
  let view = await must(
    urls.fulfilment,
    'POST',
    `${steel}/deliveries/${second.deliveryId}/receipt`,
    { lines: [{ sku: 'DC04-COIL-1.2', received: '40.5', accepted: '40.5' }] },
    carmaker.persons.engineer,
  );
  const line = view.lines[0];
  lines.push(`  received: ${line.accepted} of ${line.received} ${line.unit} accepted, ${line.rejected} rejected; a major ticket opened for the rejected coil`);
  const price = line.contractUnitPrice;
  view = await must(
    urls.fulfilment,
    'POST',
    `${steel}/invoices`,
    { number: 'NS-2027-0815', currency: 'EUR', lines: [{ sku: 'DC04-COIL-1.2', quantity: '120.5', unitPrice: price, vatRate: '19' }] },
    nordstahl,
  );
  const disputed = invoiceNumbered(view, 'NS-2027-0815');
  lines.push(`  invoice NS-2027-0815 for 120.5 t: ${disputed.status} by ${disputed.disputedAmount} EUR (only ${line.accepted} t were accepted)`);
  await must(urls.fulfilment, 'POST', `${steel}/invoices/${disputed.invoiceId}/withdraw`, { reason: 'Invoiced the rejected coil; corrected' }, nordstahl);
  view = await must(
    urls.fulfilment,
    'POST',
    `${steel}/invoices`,
    { number: 'NS-2027-0816', currency: 'EUR', lines: [{ sku: 'DC04-COIL-1.2', quantity: line.accepted, unitPrice: price, vatRate: '19' }] },
    nordstahl,
  );
  const corrected = invoiceNumbered(view, 'NS-2027-0816');
  await must(urls.fulfilment, 'POST', `${steel}/invoices/${corrected.invoiceId}/pay`, { amount: corrected.payableToday }, carmaker.persons.finance);
  lines.push(
    `  withdrawn; NS-2027-0816 for ${line.accepted} t ${corrected.status} (${corrected.gross} EUR incl. VAT, due ${corrected.dueDate}), paid by ${carmaker.name}`,
  );

  // The distributor's batteries: what passes inspection is what it may resell.
  const dist = c.distributor;
  const volta = c.batteries.persons.executive;
  const batteries = `/call-offs/${contracts.distributorCallOff.callOffId}`;
  await knownCallOff(urls.fulfilment, contracts.distributorCallOff.callOffId, volta);
  const delivery = lastDelivery(
    await must(
      urls.fulfilment,
      'POST',
      `${batteries}/deliveries`,
      { lines: [{ sku: 'NMC-MOD-48V', quantity: '800', batch: 'VC-2027-11' }], carrier: 'DSV Road', expectedArrival: today(3) },
      volta,
    ),
  );
  view = await must(
    urls.fulfilment,
    'POST',
    `${batteries}/deliveries/${delivery.deliveryId}/receipt`,
    { lines: [{ sku: 'NMC-MOD-48V', received: '800', accepted: '790', reason: 'Cell imbalance above 20 mV' }] },
    dist.persons.procurement,
  );
  const modules = view.lines[0];
  view = await must(
    urls.fulfilment,
    'POST',
    `${batteries}/invoices`,
    { number: 'VC-INV-5531', currency: 'EUR', lines: [{ sku: 'NMC-MOD-48V', quantity: modules.accepted, unitPrice: modules.contractUnitPrice, vatRate: '0' }] },
    volta,
  );
  const invoice = invoiceNumbered(view, 'VC-INV-5531');
  await must(urls.fulfilment, 'POST', `${batteries}/invoices/${invoice.invoiceId}/pay`, { amount: invoice.payableToday }, dist.persons.procurement);
  lines.push(
    `  batteries to ${dist.name}: ${modules.accepted} of ${modules.received} modules accepted; invoice VC-INV-5531 ${invoice.status} (${invoice.gross} EUR, reverse charge), paid`,
  );
  return { lines, distributorDelivery: { deliveryId: delivery.deliveryId, accepted: modules.accepted } };
}

module.exports = { loadFulfilment };
