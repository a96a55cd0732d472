// The demo's account plan: Nordstahl's sales plan for the car maker, private to Nordstahl, whose
// opportunity then follows the steel offer on the ledger by itself (sent, countered, accepted).

async function call(base, method, path, body, token) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${json.detail ?? JSON.stringify(json)}`);
  return json;
}

const ago = (days) => new Date(Date.now() - days * 86400000).toISOString();

/** Before the steel offer: the account, its team, the committee map, two touches and the opportunity. */
async function loadAccountPlan(url, c) {
  const steel = c.steel;
  const greta = steel.people[0];
  const [katrin, , , tobias] = c.carmaker.people;
  const token = steel.person;
  const account = await call(
    url,
    'POST',
    '/accounts',
    { target: { kind: 'company', companyId: c.carmaker.companyId }, tier: 'strategic', ownerId: greta.personId },
    token,
  );
  const path = `/accounts/${account.accountId}`;
  await call(url, 'POST', `${path}/team`, { personId: greta.personId, part: 'account_lead' }, token);
  const map = (body) => call(url, 'POST', `${path}/stakeholders`, body, token);
  await map({ personId: katrin.personId, position: katrin.position, role: 'decider', stance: 'neutral' });
  await map({ personId: tobias.personId, position: tobias.position, role: 'technical_evaluator', stance: 'champion' });
  // Someone the directory does not hold: a contact, sealed and erasable.
  const plant = await map({
    contact: { name: 'Petra Lang', email: 'p.lang@autowerk-werk2.example', profileUrl: 'https://www.linkedin.com/in/petra-lang-example' },
    position: 'Plant manager, press shop Werk 2',
    role: 'user',
    stance: 'supporter',
  });
  const fair = await call(url, 'POST', '/campaigns', { name: 'EuroBLECH 2026', channel: 'conference', startsAt: ago(60) }, token);
  const stakeholders = Object.fromEntries(plant.committee.map((s) => [s.personId ?? 'plant', s.stakeholderId]));
  await call(
    url,
    'POST',
    `${path}/touches`,
    {
      channel: 'conference',
      at: ago(45),
      campaignId: fair.campaignId,
      sellerPeople: [greta.personId],
      stakeholderIds: [stakeholders[katrin.personId], stakeholders[tobias.personId]],
      summary: 'Met at the booth: DC04 deep-drawing results',
    },
    token,
  );
  await call(
    url,
    'POST',
    `${path}/touches`,
    {
      channel: 'demonstration',
      at: ago(20),
      sellerPeople: [greta.personId],
      stakeholderIds: [stakeholders[tobias.personId], stakeholders.plant],
      summary: 'Forming trial of 1.2 mm coil in the Werk 2 press shop',
    },
    token,
  );
  const opportunity = await call(
    url,
    'POST',
    '/opportunities',
    {
      accountId: account.accountId,
      title: 'DC04 coil for the 2027 body-in-white',
      expectedValue: '2100000.00',
      currency: 'EUR',
      expectedVolume: '2,400 t a year',
    },
    token,
  );
  await call(url, 'POST', `/opportunities/${opportunity.opportunityId}/stage`, { to: 'qualified' }, token);
  const lines = [
    `  ${steel.name}'s plan for ${c.carmaker.name} (strategic, only ${steel.name} sees it): committee of 3 (decider, technical evaluator, a sealed contact), ${plant.missingRoles.length} decision roles unmapped`,
    `  touches: a conference (campaign ${fair.name}) and a demonstration; opportunity "${opportunity.title}" (${opportunity.expectedValue} EUR) qualified by hand`,
  ];
  return { lines, opportunityId: opportunity.opportunityId, accountId: account.accountId };
}

/** Polls `read` every 200 ms for up to 30 s until `done` holds; the last answer either way. */
async function until(read, done) {
  let value;
  for (let i = 0; i < 150; i++) {
    value = await read();
    if (done(value)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return value;
}

/**
 * After the deals: the opportunity followed the steel offer by itself, up to its contract in
 * force; the pipeline says which channel led to it; Nordstahl's timeline with the car maker
 * shows its touches beside the deal, the car maker's does not.
 */
async function showAccountPlan(url, c, plan, relationshipsUrl) {
  const token = c.steel.person;
  const opportunity = await until(
    () => call(url, 'GET', `/opportunities/${plan.opportunityId}`, undefined, token),
    (o) => o.stage === 'won' && o.contracts.length > 0,
  );
  if (opportunity.stage !== 'won') throw new Error(`the opportunity did not follow the steel offer (stage ${opportunity.stage})`);
  const pipeline = await call(url, 'GET', '/pipeline?staleDays=14', undefined, token);
  const [deal] = pipeline.attribution.deals;
  const [contract] = opportunity.contracts;
  const lines = [
    `  opportunity: ${opportunity.stages.map((s) => s.stage).join(' -> ')}; from the offer on by the ledger's own events (offer ${opportunity.deal.id.slice(0, 8)}), never typed twice`,
    contract
      ? `  contract in force: ${contract.contractValue} ${contract.currency} signed, against ${opportunity.expectedValue} ${opportunity.currency} expected`
      : '  no contract in force yet',
    `  attribution: first touch ${deal.firstTouch.channel}, last touch before the offer ${deal.lastTouch.channel}; win rate ${pipeline.outcomes.winRate} %`,
  ];
  if (relationshipsUrl) {
    const path = `/relationships/${c.steel.companyId}/${c.carmaker.companyId}/timeline`;
    const touchesIn = (items) => items.filter((i) => i.type === 'TouchRecorded').length;
    const seller = await until(
      () => call(relationshipsUrl, 'GET', path, undefined, token),
      (t) => touchesIn(t.items) === 2,
    );
    const buyer = await call(relationshipsUrl, 'GET', path, undefined, c.carmaker.persons.procurement);
    lines.push(
      `  ${c.steel.name}'s timeline with ${c.carmaker.name}: its ${touchesIn(seller.items)} touches beside ${seller.items.length - touchesIn(seller.items)} deal events; ${c.carmaker.name}'s shows ${touchesIn(buyer.items)} touches`,
    );
  }
  return lines;
}

module.exports = { loadAccountPlan, showAccountPlan };
