// @apollo/gateway with @apollo/server over a static supergraph: `node apollo-gateway.mjs SUPERGRAPH PORT`.
// Serves POST http://127.0.0.1:PORT/graphql and prints `ready` once it listens.
import { readFileSync } from 'node:fs';

// Offline: never report to Apollo (APOLLO_KEY is never set, and telemetry is off before the import).
process.env.APOLLO_TELEMETRY_DISABLED = '1';
delete process.env.APOLLO_KEY;

const { ApolloGateway } = await import('@apollo/gateway');
const { ApolloServer } = await import('@apollo/server');
const { startStandaloneServer } = await import('@apollo/server/standalone');
const { ApolloServerPluginLandingPageDisabled } = await import('@apollo/server/plugin/disabled');

const [supergraphFile, port] = process.argv.slice(2);
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphFile, 'utf8') });
const server = new ApolloServer({ gateway, plugins: [ApolloServerPluginLandingPageDisabled()] });
await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: Number(port) } });
console.log('ready');

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.stop().finally(() => process.exit(0)));
}
