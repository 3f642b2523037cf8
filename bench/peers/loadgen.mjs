// Closed-loop load generator: `node loadgen.mjs URL BODY_FILE CONNECTIONS SECONDS [WARMUP_SECONDS]`.
//
// CONNECTIONS keep-alive connections each send the same POST back to back for SECONDS; prints one JSON
// line {requests, errors, rps, p50, p99, sent} (latencies in ms; `sent` counts warm-up requests too, so
// the bench can divide CPU time measured over the whole run by it). Written here rather than using autocannon,
// whose histograms keep whole milliseconds: the added-latency figures need tenths. A response that is
// not HTTP 200 or carries "errors" counts as an error and is left out of the latencies. BENCH_AUTHORIZATION,
// when set, is sent as every request's Authorization header.
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';

const [url, bodyFile, connections, seconds, warmup = '0'] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const target = new URL(url);
const agent = new Agent({ keepAlive: true, maxSockets: Number(connections) });
const options = {
  hostname: target.hostname,
  port: target.port,
  path: target.pathname,
  method: 'POST',
  agent,
  headers: {
    'content-type': 'application/json',
    accept: 'application/json',
    'content-length': body.length,
    ...(process.env.BENCH_AUTHORIZATION && { authorization: process.env.BENCH_AUTHORIZATION }),
  },
};

function send() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = request(options, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const ok = res.statusCode === 200 && !Buffer.concat(chunks).includes('"errors"');
        resolve(ok ? ms : -1);
      });
    });
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

async function run(durationMs, record) {
  const deadline = performance.now() + durationMs;
  const latencies = [];
  let errors = 0;
  let sent = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      const ms = await send();
      sent += 1;
      if (!record) continue;
      if (ms < 0) errors += 1;
      else latencies.push(ms);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Number(connections) }, worker));
  return { latencies, errors, sent, elapsed: (performance.now() - started) / 1000 };
}

const warm = Number(warmup) > 0 ? await run(Number(warmup) * 1000, false) : { sent: 0 };
const { latencies, errors, sent, elapsed } = await run(Number(seconds) * 1000, true);
latencies.sort((a, b) => a - b);
const at = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : null);
console.log(JSON.stringify({ requests: latencies.length, errors, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), sent: warm.sent + sent }));
agent.destroy();
