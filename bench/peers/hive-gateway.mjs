// Hive Gateway's runtime (@graphql-hive/gateway) over a static supergraph on a plain node:http server:
// `node hive-gateway.mjs SUPERGRAPH PORT`. One process, like the other gateways (the CLI would fork one
// worker per core in production). No usage reporting is configured, so nothing leaves the machine.
// Serves POST http://127.0.0.1:PORT/graphql and prints `ready` once it listens. With BENCH_INTERNAL_SECRET
// set, it signs every subgraph request (sign.mjs) in an onFetch hook. BENCH_DEDUPLICATE=false turns off its
// deduplication of identical subgraph requests in flight (on by default).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { signatureHeaders, signing } from './sign.mjs';

const signer = {
  onFetch({ url, options, setOptions }) {
    const body = typeof options.body === 'string' ? options.body : Buffer.from(options.body ?? '');
    const headers = { ...Object.fromEntries(new Headers(options.headers)), ...signatureHeaders(url, options.method, body) };
    setOptions({ ...options, headers });
  },
};

const [supergraphFile, port] = process.argv.slice(2);
const gateway = createGatewayRuntime({
  supergraph: readFileSync(supergraphFile, 'utf8'),
  logging: 'error',
  graphiql: false,
  landingPage: false,
  plugins: () => (signing ? [signer] : []),
  ...(process.env.BENCH_DEDUPLICATE === 'false' && {
    transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
  }),
});
const server = createServer(gateway);
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => console.log('ready'));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    Promise.resolve(gateway.dispose()).finally(() => process.exit(0));
  });
}
