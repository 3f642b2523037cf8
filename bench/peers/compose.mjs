// Composes the bench's subgraphs with @apollo/composition into the one supergraph all three gateways load:
// `node compose.mjs NAME=URL [NAME=URL ...] > supergraph.graphql` (NAME from schemas.mjs), or
// `NAME@SDL_FILE=URL` for any other subgraph, whose SDL is read from SDL_FILE.
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { SDL } from './schemas.mjs';

const services = process.argv.slice(2).map((arg) => {
  const [spec, url] = arg.split(/=(.*)/s);
  const [name, file] = spec.split(/@(.*)/s);
  if (!(file || name in SDL) || !url) {
    console.error(`usage: node compose.mjs NAME[@SDL_FILE]=URL ...; unknown subgraph in ${arg}`);
    process.exit(2);
  }
  return { name, url, typeDefs: parse(file ? readFileSync(file, 'utf8') : SDL[name]) };
});
const result = composeServices(services);
if (result.errors) {
  for (const error of result.errors) console.error(error.message);
  process.exit(1);
}
process.stdout.write(result.supergraphSdl);
