// A fast Federation v2 subgraph for bench/gateway.py: `node subgraph.mjs NAME PORT [--canned]`.
//
// NAME is products, reviews or shipping (schemas.mjs: fixed data in memory). A plain
// node:http server with graphql-js, caching each parsed and validated query string, so the subgraphs
// cost little next to the gateways in front of them. `--canned` also replays every answer: the first
// request with a given body is executed, later ones get the stored bytes, so a gateway in front of it
// is measured alone. Prints `ready` once it listens.
import { createServer } from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, specifiedRules, validate } from 'graphql';
import { RESOLVERS, SDL } from './schemas.mjs';

const [name, port, ...flags] = process.argv.slice(2);
if (!(name in SDL) || !port) {
  console.error('usage: node subgraph.mjs products|reviews|shipping PORT [--canned]');
  process.exit(2);
}
const canned = flags.includes('--canned');
const schema = buildSubgraphSchema([{ typeDefs: parse(SDL[name]), resolvers: RESOLVERS[name] }]);
const documents = new Map();
const replies = new Map();

function documentOf(query) {
  let entry = documents.get(query);
  if (entry === undefined) {
    try {
      const document = parse(query);
      const errors = validate(schema, document, specifiedRules);
      entry = errors.length ? { errors } : { document };
    } catch (error) {
      entry = { errors: [error] };
    }
    documents.set(query, entry);
  }
  return entry;
}

async function answer(body) {
  const { query, variables, operationName } = JSON.parse(body);
  const { document, errors } = documentOf(query);
  if (errors) return JSON.stringify({ errors: errors.map((e) => ({ message: e.message })) });
  const result = await execute({ schema, document, variableValues: variables, operationName });
  return JSON.stringify(result);
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let reply = canned ? replies.get(body) : undefined;
    if (reply === undefined) {
      try {
        reply = Buffer.from(await answer(body || '{"query":"{ __typename }"}'));
      } catch (error) {
        reply = Buffer.from(JSON.stringify({ errors: [{ message: String(error.message) }] }));
      }
      // Bounded, so a client sending endless distinct bodies cannot grow it without limit.
      if (canned && replies.size < 10000) replies.set(body, reply);
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': reply.length });
    response.end(reply);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => console.log('ready'));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
