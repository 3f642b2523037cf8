// The internal signature of gateway/signing.py, for a peer gateway in front of our real subgraphs
// (which refuse unsigned requests): HMAC-SHA256 over time, method, path, caller header and the body's
// SHA-256. Off unless BENCH_INTERNAL_SECRET is set; every request then acts for the one caller
// BENCH_CALLER_ROLE (default public) with BENCH_CALLER_SCOPE, as our gateway does for the bench's API key.
import { createHash, createHmac } from 'node:crypto';

const secret = process.env.BENCH_INTERNAL_SECRET;
const caller = Buffer.from(
  JSON.stringify({
    request_id: `bench-${process.pid}`,
    role: process.env.BENCH_CALLER_ROLE || 'public',
    scope: process.env.BENCH_CALLER_SCOPE || null,
    subject: process.env.BENCH_CALLER_SUBJECT || null,
  }),
).toString('base64url');

export const signing = Boolean(secret);

export function signatureHeaders(url, method, body) {
  const target = new URL(url);
  const timestamp = Math.floor(Date.now() / 1000);
  const digest = createHash('sha256').update(body ?? '').digest('hex');
  const mac = createHmac('sha256', secret)
    .update(`${timestamp}\n${(method || 'POST').toUpperCase()}\n${target.pathname}${target.search}\n${caller}\n${digest}`)
    .digest('hex');
  return { 'x-qf-caller': caller, 'x-qf-signature': `t=${timestamp},v1=${mac}` };
}
