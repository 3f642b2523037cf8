// Composes subgraph SDLs with @apollo/composition, the reference our gateway/composition.py is checked against.
//
// stdin:  [{"name": ..., "url": ..., "sdl": ...}, ...]
// stdout: {"supergraphSdl": "..."} or {"errors": [{"code": ..., "message": ...}]}
//
// Batch form (one node start-up for many compositions, which is most of the cost):
// stdin {"cases": [[subgraph, ...], ...]} prints {"results": [result, ...]} in the same order.
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

function composeOne(subgraphs) {
  let services;
  try {
    services = subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) }));
  } catch (error) {
    // composeServices wants parsed documents; a syntax error is what Apollo's tools report as INVALID_GRAPHQL.
    return { errors: [{ code: 'INVALID_GRAPHQL', message: String(error.message) }] };
  }
  const result = composeServices(services);
  if (result.errors) {
    return {
      errors: result.errors.map((error) => ({
        code: error.extensions?.code ?? 'UNKNOWN',
        message: error.message,
      })),
    };
  }
  return { supergraphSdl: result.supergraphSdl };
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

const input = await readStdin();
const output = Array.isArray(input) ? composeOne(input) : { results: input.cases.map(composeOne) };
process.stdout.write(JSON.stringify(output));
