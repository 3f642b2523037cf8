// Apollo's own gateway over a static supergraph: `node gateway.mjs SUPERGRAPH_FILE PORT`.
// Serves POST http://127.0.0.1:PORT/graphql (the standalone server answers on every path, `/` too)
// and prints `ready <url>` once it listens, which is what oracle.py waits for.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

// Never report to Apollo's servers from a test run (and APOLLO_KEY is deliberately never set).
process.env.APOLLO_TELEMETRY_DISABLED = '1';

const { ApolloGateway, RemoteGraphQLDataSource } = await import('@apollo/gateway');
const { ApolloServer } = await import('@apollo/server');
const { startStandaloneServer } = await import('@apollo/server/standalone');
const { ApolloServerPluginLandingPageDisabled } = await import('@apollo/server/plugin/disabled');

const [supergraphFile, port] = process.argv.slice(2);
if (!supergraphFile || !port) {
  console.error('usage: node gateway.mjs SUPERGRAPH_FILE PORT');
  process.exit(2);
}

// With QF_INTERNAL_SECRET set, every subgraph request is signed as our gateway signs it
// (services/common/signing.py: HMAC-SHA256 over time, method, path, caller and the body's hash), so
// Apollo's gateway can stand in front of our real subgraphs, which refuse anything unsigned.
const secret = process.env.QF_INTERNAL_SECRET;

function signedFetch(url, init) {
  const body = typeof init.body === 'string' ? init.body : '';
  const caller = Buffer.from(
    JSON.stringify({ request_id: randomUUID().replaceAll('-', ''), role: 'public', scope: null, subject: null }),
  ).toString('base64url');
  const timestamp = Math.floor(Date.now() / 1000);
  const target = new URL(url).pathname + new URL(url).search;
  const digest = createHash('sha256').update(body).digest('hex');
  const mac = createHmac('sha256', secret)
    .update(`${timestamp}\n${(init.method || 'POST').toUpperCase()}\n${target}\n${caller}\n${digest}`)
    .digest('hex');
  const headers = { ...Object.fromEntries(new Headers(init.headers)), 'x-qf-caller': caller, 'x-qf-signature': `t=${timestamp},v1=${mac}` };
  return fetch(url, { ...init, headers });
}

const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(supergraphFile, 'utf8'),
  ...(secret && {
    buildService: ({ url }) => new RemoteGraphQLDataSource({ url, fetcher: signedFetch }),
  }),
});
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
