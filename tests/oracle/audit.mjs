// Runs graphql-http's GraphQL-over-HTTP server audit (https://github.com/graphql/graphql-http) against a URL.
//
// node audit.mjs http://127.0.0.1:4000/graphql
// stdout: [{"id": ..., "name": "MUST ...", "status": "ok" | "notice" | "warn" | "error", "reason": ...}, ...]
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: node audit.mjs URL\n');
  process.exit(2);
}
const results = await auditServer({ url });
const summary = [];
for (const result of results) {
  const item = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    item.reason = result.reason;
    // The answer that failed the item, so a failure can be read without running the audit again.
    item.responseStatus = result.response.status;
    item.responseType = result.response.headers.get('content-type');
    item.responseBody = (await result.response.text().catch(() => '')).slice(0, 500);
  }
  summary.push(item);
}
process.stdout.write(JSON.stringify(summary));
