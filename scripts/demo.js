// The demo scenario, loaded through the public HTTP APIs on an empty ledger: a car maker,
// its suppliers, a distributor and a public body, with their decision makers.
const { Client } = require('pg');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, databaseUrl, log } = require('./lib');

const COMPANIES = [
  { key: 'carmaker', name: 'Autowerk Süd GmbH', registrationNumber: 'HRB 4711', country: 'DE', roles: ['buyer'] },
  { key: 'steel', name: 'Nordstahl AG', registrationNumber: 'HRB 86123', country: 'DE', roles: ['supplier'] },
  { key: 'tyres', name: 'Pneus Lyonnais SA', registrationNumber: 'RCS 552 100 554', country: 'FR', roles: ['supplier'] },
  { key: 'batteries', name: 'Volta Cells AB', registrationNumber: '556677-8899', country: 'SE', roles: ['supplier'] },
  { key: 'distributor', name: 'EuroParts Distribution BV', registrationNumber: 'KVK 33445566', country: 'NL', roles: ['intermediary', 'buyer'] },
  { key: 'city', name: 'City of Graz — Public Transport', registrationNumber: 'GKZ 60101', country: 'AT', roles: ['buyer', 'public_body'] },
];

const PEOPLE = {
  carmaker: [
    { name: 'Katrin Vogel', email: 'k.vogel@autowerk.example', position: 'Head of Purchasing', signingRoles: ['procurement'] },
    { name: 'Dr. Jonas Weber', email: 'j.weber@autowerk.example', position: 'General Counsel', signingRoles: ['legal'] },
    { name: 'Miriam Koch', email: 'm.koch@autowerk.example', position: 'CFO', signingRoles: ['finance', 'executive'] },
  ],
  steel: [{ name: 'Greta Lindqvist', email: 'g.lindqvist@nordstahl.example', position: 'CEO', signingRoles: ['executive'] }],
  tyres: [{ name: 'Luc Moreau', email: 'l.moreau@pneus.example', position: 'Directeur commercial', signingRoles: ['executive'] }],
  batteries: [{ name: 'Sara Ek', email: 's.ek@voltacells.example', position: 'VP Sales', signingRoles: ['executive', 'technical'] }],
  distributor: [{ name: 'Pieter de Vries', email: 'p.devries@europarts.example', position: 'Managing Director', signingRoles: ['executive', 'procurement'] }],
  city: [
    { name: 'Anna Huber', email: 'a.huber@graz.example', position: 'Procurement Officer', signingRoles: ['procurement', 'legal'] },
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

async function runDemo(apps) {
  const directory = `http://127.0.0.1:${apps.find((a) => a.name === 'directory').port}`;
  if (!(await ledgerIsEmpty())) {
    log('the ledger already holds events: demo scenario not loaded again');
    return;
  }
  log('loading the demo scenario...');
  const companies = {};
  for (const c of COMPANIES) {
    const { key, ...body } = c;
    const registered = await post(directory, '/companies', body);
    const token = (await post(directory, '/auth/token', { apiKey: registered.apiKey.key })).accessToken;
    companies[key] = { ...registered, token, people: [] };
    for (const person of PEOPLE[key] ?? []) {
      companies[key].people.push(await post(directory, `/companies/${registered.companyId}/people`, person, token));
    }
  }
  console.log('\nDemo ledger:');
  for (const c of Object.values(companies)) {
    console.log(`  ${c.name} (${c.roles.join(', ')}) ${c.companyId}`);
    for (const p of c.people) console.log(`      ${p.name} — ${p.position} [${p.signingRoles.join(', ')}]`);
  }
  // Keys are shown once by the API; keep the demo's where a later session can find them.
  const keysFile = path.join(ROOT, '.data', 'demo-keys.json');
  fs.mkdirSync(path.dirname(keysFile), { recursive: true });
  const keys = Object.fromEntries(
    Object.entries(companies).map(([k, c]) => [k, { companyId: c.companyId, name: c.name, apiKey: c.apiKey.key, people: Object.fromEntries(c.people.map((p) => [p.email, p.apiKey.key])) }]),
  );
  fs.writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
  console.log(`\nEvery demo API key (company and people) is in ${path.relative(process.cwd(), keysFile)}`);
  const carmaker = companies.carmaker;
  console.log(`\nTry it: the car maker's company key is\n  ${carmaker.apiKey.key}`);
  console.log(`  curl -s -XPOST ${directory}/auth/token -H 'content-type: application/json' -d '{"apiKey":"${carmaker.apiKey.key}"}'`);
}

module.exports = { runDemo };
