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

/** After the deals: the opportunity followed the steel offer by itself; the pipeline says which channel led to it. */
async function showAccountPlan(url, c, plan) {
  const token = c.steel.person;
  let opportunity;
  for (let i = 0; i < 150; i++) {
    opportunity = await call(url, 'GET', `/opportunities/${plan.opportunityId}`, undefined, token);
    if (opportunity.stage === 'won') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (opportunity.stage !== 'won') throw new Error(`the opportunity did not follow the steel offer (stage ${opportunity.stage})`);
  const pipeline = await call(url, 'GET', '/pipeline?staleDays=14', undefined, token);
  const [deal] = pipeline.attribution.deals;
  return [
    `  opportunity: ${opportunity.stages.map((s) => s.stage).join(' -> ')}; from the offer on by the ledger's own events (offer ${opportunity.deal.id.slice(0, 8)}), never typed twice`,
    `  attribution: first touch ${deal.firstTouch.channel}, last touch before the offer ${deal.lastTouch.channel}; win rate ${pipeline.outcomes.winRate} %`,
  ];
}

module.exports = { loadAccountPlan, showAccountPlan };
