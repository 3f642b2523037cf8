// @apollo/gateway with @apollo/server over a static supergraph: `node apollo-gateway.mjs SUPERGRAPH PORT`.
// Serves POST http://127.0.0.1:PORT/graphql and prints `ready` once it listens. With BENCH_INTERNAL_SECRET
// set, it signs every subgraph request (sign.mjs).
import { readFileSync } from 'node:fs';
import { signatureHeaders, signing } from './sign.mjs';

// Offline: never report to Apollo (APOLLO_KEY is never set, and telemetry is off before the import).
process.env.APOLLO_TELEMETRY_DISABLED = '1';
delete process.env.APOLLO_KEY;

const { ApolloGateway, RemoteGraphQLDataSource } = await import('@apollo/gateway');
const { ApolloServer } = await import('@apollo/server');
const { startStandaloneServer } = await import('@apollo/server/standalone');
const { ApolloServerPluginLandingPageDisabled } = await import('@apollo/server/plugin/disabled');

const [supergraphFile, port] = process.argv.slice(2);
// Apollo's own fetcher (make-fetch-happen) still sends each request; it only gains the signature headers.
class SignedDataSource extends RemoteGraphQLDataSource {
  constructor(config) {
    super(config);
    const send = this.fetcher;
    this.fetcher = (url, init) =>
      send(url, { ...init, headers: { ...init.headers, ...signatureHeaders(url, init.method, init.body) } });
  }
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphFile, 'utf8'),
  ...(signing && { buildService: ({ url }) => new SignedDataSource({ url }) }),
});
const server = new ApolloServer({ gateway, plugins: [ApolloServerPluginLandingPageDisabled()] });
await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: Number(port) } });
console.log('ready');

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.stop().finally(() => process.exit(0)));
}
