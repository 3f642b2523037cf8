// Apollo's own gateway over static supergraphs, in one of two ways:
//
// - `node gateway.mjs SUPERGRAPH_FILE PORT`: one gateway; prints `ready <url>` once it listens.
// - `node gateway.mjs` (no arguments): many gateways in this one process, driven over stdin and stdout
//   with one JSON object a line. `{"id", "start": SUPERGRAPH_SDL, "secret"?}` starts a gateway on a free
//   port and answers `{"id", "url"}` (or `{"id", "error"}`); `{"id", "stop": URL}` stops it and answers
//   `{"id", "stopped": URL}`. The process ends when stdin closes. This is what oracle.py uses: Node and
//   @apollo/gateway load once (about a second), and each gateway then starts in milliseconds.
//
// Each gateway is a standalone Apollo Server of its own, listening on its own port: it answers
// POST http://127.0.0.1:PORT/graphql (the standalone server answers on every path, `/` too).
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

// Never report to Apollo's servers from a test run (and APOLLO_KEY is deliberately never set).
process.env.APOLLO_TELEMETRY_DISABLED = '1';

// Only protocol answers go to stdout; whatever Apollo logs goes to stderr.
const answer = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
console.log = console.info = console.debug = console.error;

const { ApolloGateway, RemoteGraphQLDataSource } = await import('@apollo/gateway');
const { ApolloServer } = await import('@apollo/server');
const { startStandaloneServer } = await import('@apollo/server/standalone');
const { ApolloServerPluginLandingPageDisabled } = await import('@apollo/server/plugin/disabled');

// With a secret, every subgraph request is signed as our gateway signs it (gateway/signing.py:
// HMAC-SHA256 over time, method, path, caller and the body's hash), so Apollo's gateway can stand in
// front of our real subgraphs, which refuse anything unsigned.
function signedFetch(secret) {
  return (url, init) => {
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
    const headers = {
      ...Object.fromEntries(new Headers(init.headers)),
      'x-qf-caller': caller,
      'x-qf-signature': `t=${timestamp},v1=${mac}`,
    };
    return fetch(url, { ...init, headers });
  };
}

/** A gateway over `supergraphSdl` on `port` (0: a free one): its server and `/graphql` URL. */
async function startGateway(supergraphSdl, port, secret) {
  const gateway = new ApolloGateway({
    supergraphSdl,
    ...(secret && {
      buildService: ({ url }) => new RemoteGraphQLDataSource({ url, fetcher: signedFetch(secret) }),
    }),
  });
  const server = new ApolloServer({
    gateway,
    introspection: true,
    // Tests post plain JSON from Python; CSRF prevention would only get in the way of GETs and forms.
    csrfPrevention: false,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port } });
  return { server, url: `${url}graphql` };
}

const [supergraphFile, port] = process.argv.slice(2);

if (supergraphFile) {
  if (!port) {
    console.error('usage: node gateway.mjs SUPERGRAPH_FILE PORT, or node gateway.mjs (gateways over stdin)');
    process.exit(2);
  }
  const { server, url } = await startGateway(
    readFileSync(supergraphFile, 'utf8'),
    Number(port),
    process.env.QF_INTERNAL_SECRET,
  );
  process.stdout.write(`ready ${url}\n`);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => server.stop().finally(() => process.exit(0)));
  }
} else {
  const servers = new Map(); // url -> ApolloServer
  const stopAll = () => Promise.allSettled([...servers.values()].map((server) => server.stop()));
  const lines = createInterface({ input: process.stdin });
  lines.on('line', async (line) => {
    let request;
    try {
      request = JSON.parse(line);
    } catch (error) {
      answer({ id: null, error: `not JSON: ${error.message}` });
      return;
    }
    const { id } = request;
    try {
      if (typeof request.start === 'string') {
        const { server, url } = await startGateway(request.start, 0, request.secret);
        servers.set(url, server);
        answer({ id, url });
      } else if (typeof request.stop === 'string') {
        const server = servers.get(request.stop);
        servers.delete(request.stop);
        await server?.stop();
        answer({ id, stopped: request.stop });
      } else {
        answer({ id, error: 'expected "start" or "stop"' });
      }
    } catch (error) {
      answer({ id, error: String(error?.stack || error) });
    }
  });
  // The test process went away (or is done): stop every gateway and leave.
  lines.on('close', () => stopAll().finally(() => process.exit(0)));
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => stopAll().finally(() => process.exit(0)));
  }
}
