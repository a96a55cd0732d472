// The apps and their default ports (each app's main.ts passes the same one to runApp);
// `<APP>_PORT` overrides, as in docker-compose.yml.
const DEFAULT_PORTS = {
  console: 3000,
  directory: 3001,
  offers: 3002,
  contracts: 3003,
  resale: 3004,
  'service-desk': 3005,
  relationships: 3006,
  fulfilment: 3007,
  accounts: 3008,
};
const portVariable = (app) => `${app.toUpperCase().replace(/-/g, '_')}_PORT`;
module.exports = { DEFAULT_PORTS, portVariable };
