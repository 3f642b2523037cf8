"""The gateway's own cost per request, in process, with canned subgraph answers: for profiling.

bench/gateway.py measures whole processes over HTTP on a shared machine; this harness measures only what
the gateway does between a client's body and the response bytes, so that where the cost per entity goes
can be seen and counted repeatably. It composes the bench's three subgraphs (the SDL of
bench/peers/schemas.mjs, here with N products instead of 100), and runs a shape through the gateway's
real path: the request body decoded, `Engine.prepare` (cached plan), `Engine.execute` over the real
`SubgraphClient` (request bodies encoded, signed when a secret is set, answers decoded by orjson)
whose connections are replaced by canned answers computed once per distinct request body, and the
response encoded; the garbage collector is set as `qf serve` sets it. The HTTP server (uvicorn,
starlette) and the sockets are not in it.

    python bench/gateway_profile.py [--shape join] [--entities 10 100 1000] [--seconds 2]
                                    [--cprofile] [--callgrind N]

Per shape and entity count it prints CPU ms per request (process time, median of 5 batches). With
`--cprofile` it prints the top functions of one batch; with `--callgrind N` it runs N requests of the
first shape and entity count once, untimed, for counting instructions (repeatable on a shared machine):

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=sys_call_tracing \\
        python bench/gateway_profile.py --callgrind 10 --entities 1000

counts only those N requests (see `instructions_run`); divide by N.

Measured here (2 shared cores; instructions per request by callgrind, CPU ms per request by this harness,
medians, interleaved with the tree before the issue-16 work):

    shape     entities   instructions before -> after       CPU ms before -> after
    join          10          773,087 ->    490,900          0.110 -> 0.060
    join         100        4,212,715 ->  3,133,195          0.391 -> 0.262
    join       1,000       39,938,231 -> 30,536,858          3.67  -> 2.63
    requires      10          660,304 ->    446,198          0.099 -> 0.056
    requires     100        2,969,280 ->  2,588,193          0.274 -> 0.214
    requires   1,000       26,842,433 -> 24,494,674          2.14  -> 1.93
    list          10          261,830 ->    164,159          0.040 -> 0.018
    list         100          566,945 ->    477,021          0.062 -> 0.038
    list       1,000        3,765,373 ->  3,701,763          0.259 -> 0.238

Then (branch gw-entities, same harness, instructions by callgrind, CPU ms the median of 3 runs
interleaved with the tree before it): representations collected by a function written per key at plan
time without response paths (worked out only for errors), fields one fetch answered exactly taken as
they came once a generated check passes (`gateway.passthrough`), one timer for all subgraph timeouts
(`gateway.deadlines`), request ids without os.urandom, no variable coercion without definitions:

    shape     entities   instructions before -> after       CPU ms before -> after
    join          10          532,522 ->    390,150          0.054 -> 0.036
    join         100        3,140,717 ->  2,482,329          0.225 -> 0.164
    join       1,000       30,514,193 -> 23,931,759          2.22  -> 1.59
    requires      10          481,498 ->    330,252          0.052 -> 0.031
    requires     100        2,561,744 ->  1,820,860          0.174 -> 0.117
    requires   1,000       24,392,111 -> 17,381,450          1.73  -> 1.12
    list          10          196,598 ->    138,732          0.016 -> 0.011
    list         100          493,711 ->    437,521          0.035 -> 0.028
    list       1,000        3,762,126 ->  3,694,777          0.208 -> 0.203

What is left at 1,000 entities is mostly what CPython must do for any gateway that decodes, merges and
re-encodes every value: orjson decoding the answers (a fifth to a quarter), freeing what it built,
building the representations (a dict each) and the shaped objects around what is taken as it came,
and the response's encoding. The checks that let a subtree pass unshaped cost about half of the
copy they replace. Going further means not decoding what passes through unchanged: msgspec decodes
`_entities` into raw per-field slices in a quarter of orjson's full decode, which orjson.Fragment could
splice into the response unread, but a value never decoded cannot be checked, and the gateway's tests
hold it to null-propagating a subgraph's broken answers (tests/gateway/test_null_errors.py).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.composition import SubgraphSource, compose  # noqa: E402
from gateway.engine import Engine  # noqa: E402
from gateway.supergraph import Supergraph  # noqa: E402
from gateway.transport import Caller, SubgraphClient  # noqa: E402

# The SDL of bench/peers/schemas.mjs.
LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", '
    'import: ["@key", "@external", "@requires"])'
)
SDL = {
    "products": f"""{LINK}
type Query {{ products(first: Int = 5): [Product] }}
type Product @key(fields: "upc") {{ upc: String! name: String price: Int weight: Int }}""",
    "reviews": f"""{LINK}
type Product @key(fields: "upc") {{ upc: String! reviews: [Review] }}
type Review {{ id: ID! body: String }}""",
    "shipping": f"""{LINK}
type Product @key(fields: "upc") {{
  upc: String!
  price: Int @external
  weight: Int @external
  shippingEstimate: Int @requires(fields: "price weight")
}}""",
}
SHAPES = {
    "list": "{{ products(first: {n}) {{ upc name price }} }}",
    "join": "{{ products(first: {n}) {{ upc name reviews {{ id body }} }} }}",
    "requires": "{{ products(first: {n}) {{ upc shippingEstimate }} }}",
}


def settle_garbage_collector() -> None:
    """The garbage collector as `qf serve` sets it once it listens."""
    from qf.servers import _settle_garbage_collector

    _settle_garbage_collector()


def product(i: int) -> dict[str, Any]:
    return {
        "upc": f"upc-{i + 1}",
        "name": f"Product {i + 1}",
        "price": 100 + (i * 37) % 900,
        "weight": 1 + (i * 13) % 50,
    }


def resolve(subgraph: str, body: bytes) -> bytes:
    """The subgraph's answer to a request the gateway makes in these shapes (as schemas.mjs answers)."""
    request = orjson.loads(body)
    query: str = request["query"]
    variables = request.get("variables") or {}
    if "_entities" not in query:
        first = variables.get("first")
        if first is None:
            first = int(query.split("first:")[1].split(")")[0].strip().lstrip("$") or 5)
        fields = _leaves(query)
        items = [{k: v for k, v in product(i).items() if k in fields} for i in range(first)]
        for item in items:
            if "__typename" in fields:
                item["__typename"] = "Product"
        return orjson.dumps({"data": {"products": _ordered(items, fields)}})
    entities = []
    for representation in variables["representations"]:
        number = int(representation["upc"].split("-")[1])
        if subgraph == "reviews":
            reviews = [{"id": f"{number}-{n}", "body": f"Review {n} of Product {number}"} for n in (1, 2)]
            entity: dict[str, Any] = {"reviews": reviews}
        elif subgraph == "shipping":
            price, weight = representation.get("price"), representation.get("weight")
            estimate = None if price is None or weight is None else round(price * weight / 10)
            entity = {"shippingEstimate": estimate}
        else:
            entity = {k: v for k, v in product(number - 1).items() if k in query}
        if "__typename" in query.split("_entities")[1]:
            entity = {"__typename": "Product", **entity}
        entities.append(entity)
    return orjson.dumps({"data": {"_entities": entities}})


def _leaves(query: str) -> list[str]:
    inner = query[query.index("{", query.index("products")) + 1 : query.rindex("}")]
    return inner.replace("{", " ").replace("}", " ").split()


def _ordered(items: list[dict], fields: list[str]) -> list[dict]:
    return [{f: item[f] for f in fields if f in item} for item in items]


class CannedOrigin:
    """Stands in for `http1.Origin`: each distinct request body answered once, then from memory."""

    def __init__(self, subgraph: str) -> None:
        self.subgraph = subgraph
        self.answers: dict[bytes, bytes] = {}
        self.target = "/graphql"

    async def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        answer = self.answers.get(body)
        if answer is None:
            answer = self.answers[body] = resolve(self.subgraph, body)
        return 200, answer

    def close(self) -> None:
        pass


def gateway(deduplicate: bool) -> tuple[Engine, SubgraphClient]:
    sources = [SubgraphSource(name, f"http://{name}.invalid/graphql", sdl) for name, sdl in SDL.items()]
    supergraph = Supergraph(compose(sources))
    client = SubgraphClient(
        {name: f"http://{name}.invalid/graphql" for name in SDL}, None, deduplicate=deduplicate
    )
    client.origins = {name: CannedOrigin(name) for name in SDL}  # type: ignore[misc]
    return Engine(supergraph), client


async def request(engine: Engine, client: SubgraphClient, body: bytes) -> bytes:
    """One request as server.py handles it, minus HTTP: decode, prepare, execute, encode."""
    payload = orjson.loads(body)
    prepared, coerced = engine.prepare(
        payload["query"], payload.get("operationName"), payload.get("variables") or {}
    )
    transport = client.transport(Caller(role="public"), query=True)
    result = await engine.execute(prepared, payload.get("variables") or {}, coerced, transport)
    return orjson.dumps(result)


async def batch(engine: Engine, client: SubgraphClient, body: bytes, count: int) -> float:
    started = time.process_time()
    for _ in range(count):
        await request(engine, client, body)
    return time.process_time() - started


async def measure(shape: str, n: int, seconds: float, profile: bool, deduplicate: bool) -> float:
    engine, client = gateway(deduplicate)
    body = orjson.dumps({"query": SHAPES[shape].format(n=n)})
    answer = orjson.loads(await request(engine, client, body))
    if answer.get("errors") or len((answer.get("data") or {}).get("products") or ()) != n:
        raise SystemExit(f"the {shape} shape at {n} failed: {str(answer)[:500]}")
    settle_garbage_collector()
    # Batches sized to take about seconds / 5 each.
    probe = max(await batch(engine, client, body, 5) / 5, 1e-6)
    count = max(5, int(seconds / 5 / probe))
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        await batch(engine, client, body, count)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    times = [await batch(engine, client, body, count) / count for _ in range(5)]
    return 1000 * statistics.median(times)


def instructions_run(shape: str, n: int, count: int) -> None:
    """`count` requests, the last thing this process does; the requests alone run inside
    `sys.call_tracing` (a plain call while no tracer is set), so that
    `valgrind --tool=callgrind --collect-atstart=no --toggle-collect=sys_call_tracing` counts them
    and nothing of the start-up."""
    loop = asyncio.new_event_loop()
    engine, client = gateway(False)
    body = orjson.dumps({"query": SHAPES[shape].format(n=n)})
    loop.run_until_complete(request(engine, client, body))  # plan, generated code, canned answers
    settle_garbage_collector()
    sys.call_tracing(loop.run_until_complete, (batch(engine, client, body, count),))
    loop.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), nargs="+", default=["join"])
    parser.add_argument("--entities", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--seconds", type=float, default=2.0, help="measured seconds per figure")
    parser.add_argument("--cprofile", action="store_true", help="print the top functions of one batch")
    parser.add_argument("--dedup", action="store_true", help="deduplicate identical subgraph requests")
    parser.add_argument(
        "--callgrind", type=int, metavar="N", help="run N requests of the first shape and count"
    )
    args = parser.parse_args()
    if args.callgrind is not None:
        instructions_run(args.shape[0], args.entities[0], args.callgrind)
        return 0
    print(f"{'shape':<10} {'entities':>8} {'CPU ms/request':>15} {'us/entity':>10}")
    for shape in args.shape:
        for n in args.entities:
            ms = asyncio.run(measure(shape, n, args.seconds, args.cprofile, args.dedup))
            print(f"{shape:<10} {n:>8} {ms:>15.3f} {1000 * ms / n:>10.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
