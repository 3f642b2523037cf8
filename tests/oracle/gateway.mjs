// Apollo's own gateway over a static supergraph: `node gateway.mjs SUPERGRAPH_FILE PORT`.
// Serves POST http://127.0.0.1:PORT/graphql (the standalone server answers on every path, `/` too)
// and prints `ready <url>` once it listens, which is what oracle.py waits for.
import { readFileSync } from 'node:fs';

// Never report to Apollo's servers from a test run (and APOLLO_KEY is deliberately never set).
process.env.APOLLO_TELEMETRY_DISABLED = '1';

const { ApolloGateway } = await import('@apollo/gateway');
const { ApolloServer } = await import('@apollo/server');
const { startStandaloneServer } = await import('@apollo/server/standalone');
const { ApolloServerPluginLandingPageDisabled } = await import('@apollo/server/plugin/disabled');

const [supergraphFile, port] = process.argv.slice(2);
if (!supergraphFile || !port) {
  console.error('usage: node gateway.mjs SUPERGRAPH_FILE PORT');
  process.exit(2);
}

const gateway = new ApolloGateway({ supergraphSdl: readFileSync(supergraphFile, 'utf8') });
const server = new ApolloServer({
  gateway,
  introspection: true,
  // Tests post plain JSON from Python; CSRF prevention would only get in the way of GETs and forms.
  csrfPrevention: false,
  plugins: [ApolloServerPluginLandingPageDisabled()],
});

const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: Number(port) } });
console.log(`ready ${url}graphql`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.stop().finally(() => process.exit(0)));
}
