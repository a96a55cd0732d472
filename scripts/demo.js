// The demo scenario, loaded through the public HTTP APIs on an empty ledger: a car maker,
// its suppliers, a distributor and a public body, with their decision makers.
const { Client } = require('pg');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, databaseUrl, log } = require('./lib');
const { loadFulfilment } = require('./demo-fulfilment');
const { loadAccountPlan, showAccountPlan } = require('./demo-accounts');

const COMPANIES = [
  { key: 'carmaker', name: 'Autowerk Süd GmbH', registrationNumber: 'HRB 4711', country: 'DE', roles: ['buyer'] },
  { key: 'steel', name: 'Nordstahl AG', registrationNumber: 'HRB 86123', country: 'DE', roles: ['supplier'] },
  { key: 'tyres', name: 'Pneus Lyonnais SA', registrationNumber: 'RCS 552 100 554', country: 'FR', roles: ['supplier'] },
  { key: 'batteries', name: 'Volta Cells AB', registrationNumber: '556677-8899', country: 'SE', roles: ['supplier'] },
  { key: 'tyres2', name: 'Gummiwerk Nord GmbH', registrationNumber: 'HRB 55120', country: 'DE', roles: ['supplier'] },
  { key: 'tyres3', name: 'Rubbera S.p.A.', registrationNumber: 'MI-1874521', country: 'IT', roles: ['supplier'] },
  { key: 'audio', name: 'SonoTech Audio GmbH', registrationNumber: 'HRB 90210', country: 'AT', roles: ['supplier'] },
  { key: 'distributor', name: 'EuroParts Distribution BV', registrationNumber: 'KVK 33445566', country: 'NL', roles: ['intermediary', 'buyer'] },
  { key: 'evmaker', name: 'Fjord Electric Vehicles AS', registrationNumber: '923 456 789', country: 'NO', roles: ['buyer'] },
  { key: 'city', name: 'City of Graz — Public Transport', registrationNumber: 'GKZ 60101', country: 'AT', roles: ['buyer', 'public_body'] },
];

const PEOPLE = {
  carmaker: [
    { name: 'Katrin Vogel', email: 'k.vogel@autowerk.example', position: 'Head of Purchasing', signingRoles: ['procurement'] },
    { name: 'Dr. Jonas Weber', email: 'j.weber@autowerk.example', position: 'General Counsel', signingRoles: ['legal'] },
    { name: 'Miriam Koch', email: 'm.koch@autowerk.example', position: 'CFO', signingRoles: ['finance', 'executive'] },
    { name: 'Tobias Brandt', email: 't.brandt@autowerk.example', position: 'Lead Engineer, Chassis', signingRoles: ['technical'] },
  ],
  steel: [{ name: 'Greta Lindqvist', email: 'g.lindqvist@nordstahl.example', position: 'CEO', signingRoles: ['executive'] }],
  tyres: [{ name: 'Luc Moreau', email: 'l.moreau@pneus.example', position: 'Directeur commercial', signingRoles: ['executive'] }],
  batteries: [{ name: 'Sara Ek', email: 's.ek@voltacells.example', position: 'VP Sales', signingRoles: ['executive', 'technical'] }],
  tyres2: [{ name: 'Henrik Paulsen', email: 'h.paulsen@gummiwerk.example', position: 'Key Account Manager', signingRoles: ['executive'] }],
  tyres3: [{ name: 'Giulia Rossi', email: 'g.rossi@rubbera.example', position: 'Sales Director', signingRoles: ['executive'] }],
  audio: [{ name: 'Lukas Bauer', email: 'l.bauer@sonotech.example', position: 'Geschäftsführer', signingRoles: ['executive'] }],
  distributor: [
    { name: 'Pieter de Vries', email: 'p.devries@europarts.example', position: 'Managing Director', signingRoles: ['executive', 'procurement'] },
    { name: 'Sanne Bakker', email: 's.bakker@europarts.example', position: 'Legal Counsel', signingRoles: ['legal'] },
  ],
  evmaker: [{ name: 'Ingrid Solberg', email: 'i.solberg@fjord-ev.example', position: 'Purchasing Manager', signingRoles: ['procurement'] }],
  city: [
    { name: 'Anna Huber', email: 'a.huber@graz.example', position: 'Procurement Officer', signingRoles: ['procurement'] },
    { name: 'Lena Berger', email: 'l.berger@graz.example', position: 'Legal Counsel', signingRoles: ['legal'] },
    { name: 'Franz Gruber', email: 'f.gruber@graz.example', position: 'Federal Procurement Representative', signingRoles: ['government'] },
  ],
};

async function ledgerIsEmpty() {
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const r = await client.query(`SELECT to_regclass('directory.events') IS NOT NULL AS exists`);
    if (!r.rows[0].exists) return true;
    return Number((await client.query('SELECT count(*) AS n FROM directory.events')).rows[0].n) === 0;
  } finally {
    await client.end();
  }
}

/**
 * The operator's key, as the apps take it: ADMIN_KEY, else this installation's development key
 * (made by the first app that started; DEV_SECRETS_DIR as for the apps).
 */
function operatorKey() {
  if (process.env.ADMIN_KEY) return process.env.ADMIN_KEY;
  const file = path.join(process.env.DEV_SECRETS_DIR ?? path.join(ROOT, '.data', 'dev-secrets'), 'admin-key');
  return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64').toString('base64url');
}

async function post(base, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${json.detail ?? JSON.stringify(json)}`);
  return json;
}

async function get(base, path, token) {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${json.detail ?? JSON.stringify(json)}`);
  return json;
}

const inDays = (d) => new Date(Date.now() + d * 86400000).toISOString();
/** A volume tier. Quantities are exact decimal strings ("2412.75" t); whole JSON numbers are still taken. */
const tier = (minQuantity, unitPrice) => ({ minQuantity, unitPrice });

/** Offers negotiated and accepted, and two tenders (one public) evaluated and awarded. */
async function loadDeals(offersUrl, c) {
  const lines = [];
  const offer = async (supplier, buyerKey, items, rounds, quantities, acceptBy) => {
    const o = await post(
      offersUrl,
      '/offers',
      { buyerId: c[buyerKey].companyId, items, validUntil: inDays(30), paymentTerms: '60 days net', deliveryTerms: 'DAP buyer plant, Incoterms 2020' },
      supplier.person,
    );
    let current = await post(offersUrl, `/offers/${o.offerId}/submit`, {}, supplier.person);
    for (const round of rounds) {
      await post(offersUrl, `/offers/${o.offerId}/counter`, { proposals: round.counter, note: round.note }, c[buyerKey].persons.engineer ?? acceptBy);
      current = await post(
        offersUrl,
        `/offers/${o.offerId}/revise`,
        { items: round.items, validUntil: inDays(30), paymentTerms: '60 days net', deliveryTerms: 'DAP buyer plant, Incoterms 2020', note: round.reply },
        supplier.person,
      );
    }
    // The buyer accepts the revision it read.
    const accepted = await post(offersUrl, `/offers/${o.offerId}/accept`, { revision: current.revision, quantities }, acceptBy);
    lines.push(
      `  offer  ${supplier.name} -> ${c[buyerKey].name}: ${accepted.accepted.items.map((i) => `${i.quantity} ${i.unit} ${i.sku} @ ${i.unitPrice}`).join(', ')} = ${accepted.accepted.total} ${accepted.accepted.currency} (revision ${accepted.revision})`,
    );
    return accepted;
  };
  const carmaker = c.carmaker;
  const katrin = carmaker.persons.procurement;
  const steelItems = [
    {
      sku: 'DC04-COIL-1.2',
      kind: 'raw_material',
      description: 'Cold-rolled steel coil DC04, 1.2 mm',
      unit: 't',
      currency: 'EUR',
      // Steel by the tonne: tiers and quantities as decimal strings.
      tiers: [tier('50', '912.00'), tier('500', '874.00'), tier('2000', '851.00')],
    },
  ];
  const deals = { offers: {}, tenders: {} };
  deals.offers.steel = await offer(
    c.steel,
    'carmaker',
    steelItems,
    [
      {
        counter: [{ sku: 'DC04-COIL-1.2', unitPrice: '830.00', quantity: '2412.75' }],
        note: 'market index fell 4%',
        reply: 'index-linked, 2000 t tier lowered',
        items: [{ ...steelItems[0], tiers: [tier('50', '905.00'), tier('500', '868.00'), tier('2000', '839.00')] }],
      },
    ],
    [{ sku: 'DC04-COIL-1.2', quantity: '2412.75' }],
    katrin,
  );
  const tyreItems = [
    {
      sku: 'TYRE-205-55-R16',
      kind: 'component',
      description: 'Summer tyre 205/55 R16 91V',
      unit: 'piece',
      currency: 'EUR',
      tiers: [tier(100, '52.00'), tier(1000, '47.50'), tier(10000, '41.70')],
    },
  ];
  deals.offers.tyres = await offer(c.tyres, 'carmaker', tyreItems, [], [{ sku: 'TYRE-205-55-R16', quantity: 12000 }], katrin);
  const batteryItems = [
    {
      sku: 'NMC-MOD-48V',
      kind: 'component',
      description: '48 V NMC battery module',
      unit: 'piece',
      currency: 'EUR',
      tiers: [tier(10, '1180.00'), tier(500, '1095.00'), tier(5000, '990.00')],
    },
  ];
  deals.offers.batteries = await offer(c.batteries, 'carmaker', batteryItems, [], [{ sku: 'NMC-MOD-48V', quantity: 6000 }], katrin);
  deals.offers.distributorBatteries = await offer(
    c.batteries,
    'distributor',
    batteryItems,
    [],
    [{ sku: 'NMC-MOD-48V', quantity: 800 }],
    c.distributor.persons.procurement,
  );
  const audioItems = [
    {
      sku: 'HU-10IN',
      kind: 'component',
      description: '10" infotainment head unit',
      unit: 'piece',
      currency: 'EUR',
      tiers: [tier(100, '388.00'), tier(5000, '352.00')],
    },
    {
      sku: 'SPK-SET-8',
      kind: 'component',
      description: '8-speaker premium audio set',
      unit: 'set',
      currency: 'EUR',
      tiers: [tier(100, '214.00'), tier(5000, '189.00')],
    },
    { sku: 'AUDIO-SVC', kind: 'service', description: 'Acoustic tuning per vehicle line', unit: 'line', currency: 'EUR', tiers: [tier(1, '48000.00')] },
  ];
  deals.offers.audio = await offer(
    c.audio,
    'carmaker',
    audioItems,
    [
      {
        counter: [{ sku: 'HU-10IN', unitPrice: '340.00' }],
        note: 'target cost 340',
        reply: 'meet at 345 from 5000',
        items: [{ ...audioItems[0], tiers: [tier(100, '388.00'), tier(5000, '345.00')] }, audioItems[1], audioItems[2]],
      },
    ],
    [
      { sku: 'HU-10IN', quantity: 8000 },
      { sku: 'SPK-SET-8', quantity: 8000 },
      { sku: 'AUDIO-SVC', quantity: 2 },
    ],
    katrin,
  );

  // Two tenders, closing a few seconds from now so the demo can evaluate and award them.
  const deadline = new Date(Date.now() + 6000).toISOString();
  const tyreTender = await post(
    offersUrl,
    '/tenders',
    {
      title: 'Winter tyres, model year 2028',
      items: [{ itemId: 'lot-1', description: 'Winter tyre 225/45 R17 94V XL', quantity: 40000, unit: 'piece', specification: '3PMSF, EU label C/B/71 dB' }],
      submissionDeadline: deadline,
      weights: { price: 40, quality: 25, reputation: 10, service: 15, partnership: 10 },
      publicProcurement: false,
      currency: 'EUR',
    },
    katrin,
  );
  await post(offersUrl, `/tenders/${tyreTender.tenderId}/invitations`, { supplierIds: [c.tyres.companyId, c.tyres2.companyId, c.tyres3.companyId] }, katrin);
  const tyreBids = [
    [c.tyres, '58.40'],
    [c.tyres2, '61.10'],
    [c.tyres3, '56.90'],
  ];
  for (const [s, price] of tyreBids)
    await post(offersUrl, `/tenders/${tyreTender.tenderId}/bids`, { prices: [{ itemId: 'lot-1', unitPrice: price }] }, s.person);

  const city = c.city;
  // The offers app learns that the city is a verified public body from the directory's topic:
  // a moment after the verification, so the first tries may still be refused.
  const openBusTender = (busDeadline) =>
    fetch(`${offersUrl}/tenders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${city.persons.procurement}` },
      body: JSON.stringify({
        title: 'Traction batteries for 24 city buses',
        items: [{ itemId: 'lot-1', description: 'Traction battery pack 350 kWh', quantity: 24, unit: 'pack', specification: 'LFP, 8-year warranty, EN 50604' }],
        submissionDeadline: busDeadline,
        weights: { price: 50, quality: 20, reputation: 10, service: 15, partnership: 5 },
        publicProcurement: true,
        currency: 'EUR',
        // A published notice any registered supplier may find and bid on. No standstill period
        // (a public procurement's award waits 10 days for complaints unless it says otherwise),
        // so that the demo can contract the buses the same day.
        procedure: 'open',
        standstillDays: 0,
      }),
    });
  let busTender;
  let busDeadline = deadline;
  for (let attempt = 0; !busTender; attempt++) {
    const res = await openBusTender(busDeadline);
    const json = await res.json();
    if (res.ok) busTender = json;
    else if (json.code === 'tender.public_procurement_needs_public_body' && attempt < 150) {
      await new Promise((r) => setTimeout(r, 200));
      busDeadline = new Date(Math.max(Date.parse(deadline), Date.now() + 4000)).toISOString();
    } else throw new Error(`/tenders: ${res.status} ${json.detail ?? JSON.stringify(json)}`);
  }
  await post(
    offersUrl,
    `/tenders/${busTender.tenderId}/invitations`,
    { supplierIds: [c.batteries.companyId, c.distributor.companyId] },
    city.persons.procurement,
  );
  // A clarification: the battery maker asks, the city answers every bidder without naming who asked.
  const asked = await post(
    offersUrl,
    `/tenders/${busTender.tenderId}/clarifications`,
    { question: 'Does the 8-year warranty cover capacity fade below 80 %?' },
    c.batteries.person,
  );
  const question = asked.clarifications.find((q) => q.askedByYou);
  await post(
    offersUrl,
    `/tenders/${busTender.tenderId}/clarifications/${question.clarificationId}/answer`,
    { answer: 'Yes: the pack must keep 80 % of its rated capacity for 8 years.' },
    city.persons.procurement,
  );
  await post(offersUrl, `/tenders/${busTender.tenderId}/bids`, { prices: [{ itemId: 'lot-1', unitPrice: '118500.00' }] }, c.batteries.person);
  await post(offersUrl, `/tenders/${busTender.tenderId}/bids`, { prices: [{ itemId: 'lot-1', unitPrice: '112900.00' }] }, c.distributor.person);

  log('waiting for the tender deadline to pass...');
  await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(deadline) - Date.now(), Date.parse(busDeadline) - Date.now()) + 300));
  const score = (q, r, s, p) => ({ quality: q, reputation: r, service: s, partnership: p });

  await post(offersUrl, `/tenders/${tyreTender.tenderId}/close`, {}, katrin);
  const committee = [
    [
      carmaker.persons.engineer,
      [
        [c.tyres, score(9, 8, 9, 8)],
        [c.tyres2, score(8, 9, 7, 7)],
        [c.tyres3, score(6, 6, 6, 5)],
      ],
    ],
    [
      katrin,
      [
        [c.tyres, score(8, 8, 9, 9)],
        [c.tyres2, score(8, 8, 8, 6)],
        [c.tyres3, score(7, 6, 5, 5)],
      ],
    ],
  ];
  for (const [evaluator, scores] of committee) {
    for (const [s, sc] of scores) await post(offersUrl, `/tenders/${tyreTender.tenderId}/evaluations`, { supplierId: s.companyId, scores: sc }, evaluator);
  }
  const tyreView = await get(offersUrl, `/tenders/${tyreTender.tenderId}`, katrin);
  const tyreWinner = tyreView.ranking[0];
  const tyreAward = await post(offersUrl, `/tenders/${tyreTender.tenderId}/award`, { supplierId: tyreWinner.supplierId }, katrin);
  const nameOf = (id) => Object.values(c).find((x) => x.companyId === id).name;
  deals.tenders.tyres = { ...tyreAward, winner: tyreWinner.supplierId };
  lines.push(
    `  tender "${tyreAward.title}": ${tyreView.ranking.map((r) => `${r.rank}. ${nameOf(r.supplierId)} (total ${r.total}, weighted ${r.weightedScore})`).join('; ')} -> awarded to ${nameOf(tyreWinner.supplierId)}`,
  );

  await post(offersUrl, `/tenders/${busTender.tenderId}/close`, {}, city.persons.procurement);
  for (const [evaluator, scores] of [
    [
      city.persons.procurement,
      [
        [c.batteries, score(9, 9, 8, 8)],
        [c.distributor, score(7, 7, 6, 6)],
      ],
    ],
    [
      city.persons.government,
      [
        [c.batteries, score(9, 8, 8, 7)],
        [c.distributor, score(7, 8, 6, 6)],
      ],
    ],
  ]) {
    for (const [s, sc] of scores) await post(offersUrl, `/tenders/${busTender.tenderId}/evaluations`, { supplierId: s.companyId, scores: sc }, evaluator);
  }
  const busView = await get(offersUrl, `/tenders/${busTender.tenderId}`, city.persons.procurement);
  const busAward = await post(offersUrl, `/tenders/${busTender.tenderId}/award`, { supplierId: busView.ranking[0].supplierId }, city.persons.procurement);
  deals.tenders.bus = { ...busAward, winner: busView.ranking[0].supplierId };
  lines.push(
    `  public tender "${busAward.title}": ${busView.ranking.map((r) => `${r.rank}. ${nameOf(r.supplierId)} (total ${r.total}, weighted ${r.weightedScore})`).join('; ')} -> awarded to ${nameOf(busView.ranking[0].supplierId)}, with a government evaluator (published as an open notice; ${busView.clarifications.length} question answered to every bidder)`,
  );
  return { lines, deals };
}

/** Waits for the contracts app to draft the contract of a deal from Kafka. */
async function contractFor(contractsUrl, origin, token) {
  for (let i = 0; i < 300; i++) {
    const found = await get(contractsUrl, `/contracts?origin=${origin}`, token);
    if (found.length) return found[0];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no contract drafted for ${origin}`);
}

/** Signing by teams on both sides (one after an amendment that voids the first signatures), and call-offs across tiers. */
async function loadContracts(contractsUrl, c, deals) {
  const lines = [];
  const carmaker = c.carmaker;
  const buyerSigners = { procurement: carmaker.persons.procurement, legal: carmaker.persons.legal };
  const signAll = async (contract, signers) => {
    let current = contract;
    for (const [role, token] of signers)
      current = await post(contractsUrl, `/contracts/${contract.contractId}/signatures`, { role, termsHash: current.termsHash }, token);
    return current;
  };
  const carmakerDeal = async (label, origin, supplier) => {
    const contract = await contractFor(contractsUrl, origin, carmaker.persons.procurement);
    return {
      label,
      contract,
      signers: [
        ['procurement', buyerSigners.procurement],
        ['legal', buyerSigners.legal],
        ['executive', supplier.persons.executive],
      ],
    };
  };

  // Steel: the buyer signs, then the supplier amends the SLA: the signature is void, everyone signs the new terms.
  const steel = await carmakerDeal('steel', `offer:${deals.offers.steel.offerId}`, c.steel);
  await post(
    contractsUrl,
    `/contracts/${steel.contract.contractId}/signatures`,
    { role: 'procurement', termsHash: steel.contract.termsHash },
    buyerSigners.procurement,
  );
  const amended = await post(
    contractsUrl,
    `/contracts/${steel.contract.contractId}/amendments`,
    // A critical response within 9 seconds (0.0025 h): short enough for the demo to show a breach.
    {
      sla: [
        { severity: 'critical', responseHours: 0.0025, resolutionHours: 12 },
        { severity: 'major', responseHours: 8, resolutionHours: 48 },
        { severity: 'minor', responseHours: 24, resolutionHours: 120 },
      ],
      note: 'Tighter SLA for the press line',
    },
    c.steel.persons.executive,
  );
  const steelExecuted = await signAll(amended, steel.signers);
  lines.push(
    `  contract steel: amended after the first signature (terms v${amended.termsVersion}, earlier signatures void), re-signed by 3 roles -> ${steelExecuted.status}`,
  );

  const executedContracts = {};
  for (const [label, origin, supplier] of [
    ['tyres', `offer:${deals.offers.tyres.offerId}`, c.tyres],
    ['batteries', `offer:${deals.offers.batteries.offerId}`, c.batteries],
    ['audio', `offer:${deals.offers.audio.offerId}`, c.audio],
    ['winter tyres (tender)', `tender:${deals.tenders.tyres.tenderId}`, Object.values(c).find((x) => x.companyId === deals.tenders.tyres.winner)],
  ]) {
    const deal = await carmakerDeal(label, origin, supplier);
    executedContracts[label] = await signAll(deal.contract, deal.signers);
    lines.push(`  contract ${label}: signed by procurement, legal and the supplier's executive -> ${executedContracts[label].status}`);
  }

  const dist = await contractFor(contractsUrl, `offer:${deals.offers.distributorBatteries.offerId}`, c.distributor.persons.procurement);
  executedContracts.distributor = await signAll(dist, [
    ['procurement', c.distributor.persons.procurement],
    ['legal', c.distributor.persons.legal],
    ['executive', c.batteries.persons.executive],
  ]);
  lines.push(`  contract distributor batteries: signed by the distributor's procurement and legal and the supplier -> ${executedContracts.distributor.status}`);

  // The public body's contract needs a government signatory as well.
  const city = c.city;
  const bus = await contractFor(contractsUrl, `tender:${deals.tenders.bus.tenderId}`, city.persons.procurement);
  const busExecuted = await signAll(bus, [
    ['procurement', city.persons.procurement],
    ['legal', city.persons.legal],
    ['government', city.persons.government],
    ['executive', c.batteries.persons.executive],
  ]);
  lines.push(`  contract city buses (public procurement): signed by procurement, legal, government and the supplier -> ${busExecuted.status}`);

  // Call-offs against the tyre contract cross the volume tiers: the more is bought, the lower the price.
  const tyres = executedContracts.tyres;
  for (const quantity of [600, 600, 9000]) {
    const callOff = await post(
      contractsUrl,
      `/contracts/${tyres.contractId}/call-offs`,
      { lines: [{ sku: 'TYRE-205-55-R16', quantity }] },
      carmaker.persons.procurement,
    );
    const l = callOff.lines[0];
    lines.push(`  call-off tyres: ${l.quantity} pieces (cumulative ${l.cumulativeQuantity}) @ ${l.unitPrice} = ${l.lineTotal} EUR`);
  }
  executedContracts.steel = steelExecuted;
  const distCallOff = await post(
    contractsUrl,
    `/contracts/${executedContracts.distributor.contractId}/call-offs`,
    { lines: [{ sku: 'NMC-MOD-48V', quantity: 800 }] },
    c.distributor.persons.procurement,
  );
  return { lines, contracts: executedContracts, distributorCallOff: distCallOff };
}

/**
 * The distributor records the batteries it received and accepted (`fulfilment.distributorDelivery`:
 * `{ deliveryId, accepted }`) as a lot, at the price the app sets, and resells part to a second manufacturer.
 */
async function loadResale(resaleUrl, c, contracts, fulfilment) {
  const lines = [];
  const dist = c.distributor;
  const contract = contracts.contracts.distributor;
  const receipt = fulfilment.distributorDelivery;
  let lot;
  for (let i = 0; i < 300 && !lot; i++) {
    // The resale app learns the executed contract, its call-off and the receipt from Kafka; wait for it.
    const res = await fetch(`${resaleUrl}/lots`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${dist.persons.procurement}` },
      body: JSON.stringify({
        source: { kind: 'contract', contractId: contract.contractId, callOffId: contracts.distributorCallOff.callOffId, deliveryId: receipt.deliveryId },
        sku: 'NMC-MOD-48V',
        quantity: receipt.accepted,
        currency: 'EUR',
      }),
    });
    if (res.ok) lot = await res.json();
    else await new Promise((r) => setTimeout(r, 200));
  }
  if (!lot) throw new Error('the resale app did not learn the distributor contract and the goods it received');
  lines.push(`  lot: ${dist.name} received ${lot.quantity} x ${lot.sku} from ${c.batteries.name} @ ${lot.unitCost}`);
  const sale = await post(
    resaleUrl,
    `/lots/${lot.lotId}/resales`,
    { buyerId: c.evmaker.companyId, quantity: 300, unitPrice: '1240.00' },
    dist.persons.procurement,
  );
  lines.push(`  resale: 300 to ${c.evmaker.name} @ ${sale.unitPrice}, margin ${sale.margin} EUR, ${sale.remaining} left`);
  const chain = await get(resaleUrl, `/provenance/${lot.lotId}`, c.evmaker.person);
  const nameOf = (id) => Object.values(c).find((x) => x.companyId === id)?.name ?? id;
  lines.push(
    `  provenance seen by ${c.evmaker.name}: ${chain.hops.map((h) => `${nameOf(h.sellerId)} -> ${nameOf(h.buyerId)}${h.unitPrice ? ` @ ${h.unitPrice}` : ' (price not shown)'}`).join('; ')}`,
  );
  return lines;
}

/** Service tickets: one answered and resolved in time and rated, one left unanswered until its SLA breaches. */
async function loadTickets(deskUrl, c, contracts) {
  const lines = [];
  const carmaker = c.carmaker;
  const engineer = carmaker.persons.engineer;
  const openTicket = async (contract, sku, severity, description) => {
    for (let i = 0; i < 300; i++) {
      // The service desk learns executed contracts from Kafka; wait for it.
      const res = await fetch(`${deskUrl}/tickets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${engineer}` },
        body: JSON.stringify({ contractId: contract.contractId, sku, severity, description }),
      });
      if (res.ok) return res.json();
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('the service desk did not learn the contract');
  };
  const audio = await openTicket(contracts.contracts.audio, 'HU-10IN', 'minor', 'Bluetooth pairing drops after firmware 2.3.0');
  await post(deskUrl, `/tickets/${audio.ticketId}/acknowledge`, {}, c.audio.persons.executive);
  await post(deskUrl, `/tickets/${audio.ticketId}/resolve`, { resolution: 'Firmware 2.3.1 rolled out to the line' }, c.audio.persons.executive);
  const closed = await post(deskUrl, `/tickets/${audio.ticketId}/close`, { satisfaction: 5, comment: 'Fixed within a day' }, engineer);
  lines.push(`  ticket audio (minor): answered and resolved in time, closed with satisfaction ${closed.satisfaction}/5`);
  const steel = await openTicket(contracts.contracts.steel, 'DC04-COIL-1.2', 'critical', 'Coil batch 4471 cracks in the deep-drawing press');
  log(`waiting for the steel ticket's 9-second response SLA to run out...`);
  let view;
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    view = await get(deskUrl, `/tickets/${steel.ticketId}`, engineer);
    if (view.slaBreaches.length) break;
  }
  lines.push(
    `  ticket steel (critical): no response by ${view.responseDueAt} -> SLA breached (${view.slaBreaches.map((b) => b.kind).join(', ') || 'not yet'})`,
  );
  await post(deskUrl, `/tickets/${steel.ticketId}/acknowledge`, {}, c.steel.persons.executive);
  return lines;
}

/** A short summary of two relationships and a scorecard, once the read side has caught up. */
async function printRelationships(relUrl, c) {
  const pairs = [
    [c.carmaker, c.tyres],
    [c.carmaker, c.steel],
  ];
  const fmt = (v) =>
    Object.entries(v)
      .map(([cur, amt]) => `${amt} ${cur}`)
      .join(', ') || '0';
  console.log('\nRelationships (read side, built from the Kafka log):');
  for (const [buyer, supplier] of pairs) {
    let r;
    for (let i = 0; i < 200; i++) {
      r = await get(relUrl, `/relationships/${buyer.companyId}/${supplier.companyId}`, buyer.person);
      const s = r.summary;
      if (supplier === c.tyres ? s.callOffs.count >= 3 && s.tenders.won >= 1 : s.sla.breached >= 1) break;
      await new Promise((res) => setTimeout(res, 300));
    }
    const s = r.summary;
    console.log(
      `  ${buyer.name} <-> ${supplier.name}: since ${s.since?.slice(0, 10)}; offers ${s.offers.made} made / ${s.offers.accepted} accepted; tenders ${s.tenders.won} won / ${s.tenders.lost} lost; ` +
        `contracts ${s.contracts.executed} (${fmt(s.contracts.value)}); called off ${s.callOffs.volume} (${fmt(s.callOffs.value)}); tickets ${s.tickets.opened}; ` +
        `SLA ${s.sla.compliancePercent ?? '-'}%; satisfaction ${s.satisfaction.average ?? '-'}`,
    );
  }
  const card = await get(relUrl, `/scorecards/${c.tyres.companyId}?buyer=${c.carmaker.companyId}`, c.carmaker.person);
  console.log(
    `  scorecard ${c.tyres.name} for ${c.carmaker.name}: ${Object.entries(card.criteria)
      .map(([k, v]) => `${k} ${v.score ?? '-'}`)
      .join(', ')}`,
  );
  console.log(`  timeline: GET ${relUrl}/relationships/${c.carmaker.companyId}/${c.tyres.companyId}/timeline (with a token of either company)`);
}

/**
 * What waits for one person at the end of the scenario (GET /inbox): the demo's person with the
 * most to do, so a newcomer sees the inbox at work.
 */
async function printInbox(relUrl, directory, c) {
  let busiest = null;
  for (const company of Object.values(c)) {
    for (const person of company.people) {
      const token = (await post(directory, '/auth/token', { apiKey: person.apiKey.key })).accessToken;
      const inbox = await get(relUrl, '/inbox?limit=50', token);
      if (!busiest || inbox.items.length > busiest.inbox.items.length) busiest = { person, company, inbox };
    }
  }
  if (!busiest) return;
  const { person, company, inbox } = busiest;
  console.log(`
Inbox of ${person.name} (${person.position}, ${company.name}), most urgent first — GET ${relUrl}/inbox:`);
  for (const item of inbox.items.slice(0, 10))
    console.log(
      `  ${item.dueAt ? `due ${item.dueAt.slice(0, 16).replace('T', ' ')}` : 'no deadline     '}  ${item.kind.padEnd(18)} ${item.reason} (${item.resource})`,
    );
  if (inbox.items.length > 10) console.log(`  … and ${inbox.items.length - 10} more`);
}

/**
 * Loads the scenario through the public HTTP APIs of `apps` ([{name, port}]).
 * options.checkEmpty: skip when the ledger already holds events (npm start);
 * options.saveKeys: write the demo's API keys under .data/;
 * options.onStep(name): awaited between stages (the end-to-end test kills an app there).
 */
async function runDemo(apps, options = {}) {
  const { checkEmpty = true, saveKeys = true, onStep = async () => undefined } = options;
  const directory = `http://127.0.0.1:${apps.find((a) => a.name === 'directory').port}`;
  if (checkEmpty && !(await ledgerIsEmpty())) {
    log('the ledger already holds events: demo scenario not loaded again');
    return;
  }
  log('loading the demo scenario...');
  const companies = {};
  for (const c of COMPANIES) {
    const { key, ...body } = c;
    const registered = await post(directory, '/companies', body);
    const token = (await post(directory, '/auth/token', { apiKey: registered.apiKey.key })).accessToken;
    companies[key] = { ...registered, token, people: [], persons: {} };
    // An operator checks a public body's registration before its people may hold the government role.
    if (body.roles.includes('public_body')) {
      const res = await fetch(`${directory}/admin/companies/${registered.companyId}/verification`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-admin-key': operatorKey() },
        body: JSON.stringify({ note: 'demo: checked against the register of public bodies' }),
      });
      if (!res.ok) throw new Error(`verifying ${body.name}: ${res.status} ${await res.text()}`);
    }
    for (const person of PEOPLE[key] ?? []) {
      const added = await post(directory, `/companies/${registered.companyId}/people`, person, token);
      companies[key].people.push(added);
      const personToken = (await post(directory, '/auth/token', { apiKey: added.apiKey.key })).accessToken;
      for (const role of added.signingRoles) companies[key].persons[role === 'technical' ? 'engineer' : role] ??= personToken;
      companies[key].person ??= personToken;
    }
  }
  console.log('\nDemo ledger:');
  for (const c of Object.values(companies)) {
    console.log(`  ${c.name} (${c.roles.join(', ')}) ${c.companyId}`);
    for (const p of c.people) console.log(`      ${p.name} — ${p.position} [${p.signingRoles.join(', ')}]`);
  }
  await onStep('companies');
  // Before the deals: a supplier's account plan, whose opportunity then follows its offer.
  const accountsApp = apps.find((a) => a.name === 'accounts');
  const accountsUrl = accountsApp && `http://127.0.0.1:${accountsApp.port}`;
  const plan = accountsUrl && (await loadAccountPlan(accountsUrl, companies));
  if (plan) {
    console.log('\nAccount-based selling:');
    for (const line of plan.lines) console.log(line);
  }
  const offersApp = apps.find((a) => a.name === 'offers');
  if (offersApp) {
    const { lines, deals } = await loadDeals(`http://127.0.0.1:${offersApp.port}`, companies);
    await onStep('deals');
    console.log('\nDeals:');
    for (const line of lines) console.log(line);
    const contractsApp = apps.find((a) => a.name === 'contracts');
    if (contractsApp) {
      console.log('\nContracts (drafted by the contracts app from the deals on Kafka):');
      const contracts = await loadContracts(`http://127.0.0.1:${contractsApp.port}`, companies, deals);
      for (const line of contracts.lines) console.log(line);
      await onStep('contracts');
      const fulfilmentApp = apps.find((a) => a.name === 'fulfilment');
      const resaleApp = apps.find((a) => a.name === 'resale');
      if (fulfilmentApp && resaleApp) {
        console.log('\nDeliveries, goods receipt, invoices and payment:');
        const urls = { contracts: `http://127.0.0.1:${contractsApp.port}`, fulfilment: `http://127.0.0.1:${fulfilmentApp.port}` };
        const fulfilment = await loadFulfilment(urls, companies, contracts);
        for (const line of fulfilment.lines) console.log(line);
        console.log('\nResale through an intermediary:');
        for (const line of await loadResale(`http://127.0.0.1:${resaleApp.port}`, companies, contracts, fulfilment)) console.log(line);
      }
      const deskApp = apps.find((a) => a.name === 'service-desk');
      if (deskApp) {
        console.log('\nService tickets:');
        for (const line of await loadTickets(`http://127.0.0.1:${deskApp.port}`, companies, contracts)) console.log(line);
      }
    }
  }
  const relApp = apps.find((a) => a.name === 'relationships');
  if (plan && offersApp) {
    console.log('\nThe account plan, after the deals:');
    for (const line of await showAccountPlan(accountsUrl, companies, plan, relApp && `http://127.0.0.1:${relApp.port}`)) console.log(line);
  }
  if (relApp && offersApp) {
    await printRelationships(`http://127.0.0.1:${relApp.port}`, companies);
    await printInbox(`http://127.0.0.1:${relApp.port}`, directory, companies);
  }
  if (!saveKeys) return companies;
  // Keys are shown once by the API; keep the demo's where a later session can find them.
  const keysFile = path.join(ROOT, '.data', 'demo-keys.json');
  fs.mkdirSync(path.dirname(keysFile), { recursive: true });
  const keys = Object.fromEntries(
    Object.entries(companies).map(([k, c]) => [
      k,
      { companyId: c.companyId, name: c.name, apiKey: c.apiKey.key, people: Object.fromEntries(c.people.map((p) => [p.email, p.apiKey.key])) },
    ]),
  );
  fs.writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
  console.log(`\nEvery demo API key (company and people) is in ${path.relative(process.cwd(), keysFile)}`);
  const carmaker = companies.carmaker;
  console.log(`\nTry it: the car maker's company key is\n  ${carmaker.apiKey.key}`);
  console.log(`  curl -s -XPOST ${directory}/auth/token -H 'content-type: application/json' -d '{"apiKey":"${carmaker.apiKey.key}"}'`);
  return companies;
}

/**
 * A demo person to sign in to the console with: the car maker's head of purchasing, whose key
 * the demo kept in .data/demo-keys.json (also when the ledger was loaded by an earlier start),
 * if the directory still takes it (the file may be from another database, or the key revoked).
 */
async function demoSignIn(apps) {
  try {
    const keys = JSON.parse(fs.readFileSync(path.join(ROOT, '.data', 'demo-keys.json'), 'utf8'));
    const person = PEOPLE.carmaker[0];
    const key = keys.carmaker?.people?.[person.email];
    if (!key) return null;
    const directory = apps.find((a) => a.name === 'directory');
    const res = await fetch(`http://127.0.0.1:${directory.port}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: key }),
    });
    return res.ok ? { name: person.name, position: person.position, company: keys.carmaker.name, key } : null;
  } catch {
    return null;
  }
}

module.exports = { runDemo, demoSignIn, COMPANIES, PEOPLE };
