"""Hostile documents cost the gateway almost nothing: each is refused, coded, in milliseconds, before
anything is expanded, with the process's memory unchanged and other clients unaffected.

The gateway runs as its own process (`qf serve --service gateway --supergraph FILE`) over the checked-in
supergraph, so its resident memory can be read from /proc; every operation here is refused or answered
by the gateway itself, so no subgraph needs to run.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.gateway.conftest import _start_our_gateway

ROOT = Path(__file__).resolve().parents[2]


def fan_out(levels: int) -> str:
    """Fragments that each spread the next twice: 2**levels fields once expanded, in ~40 bytes a level."""
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"query {{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


@pytest.fixture(scope="module")
def gateway() -> Iterator[tuple[str, int]]:
    """The /graphql URL and the PID of a gateway process of our own."""
    with _start_our_gateway((ROOT / "schema" / "supergraph.graphql").read_text()) as starting:
        url = starting.wait_ready()
        yield url, starting.process.pid


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def post(client: httpx.Client, url: str, query: str) -> httpx.Response:
    # The media type of GraphQL over HTTP, whose clients get 400 for a refused document.
    headers = {"accept": "application/graphql-response+json"}
    return client.post(url, json={"query": query}, headers=headers)


def limit_of(response: httpx.Response) -> list[str]:
    return [e["extensions"].get("limit") for e in response.json()["errors"]]


def test_a_fragment_fan_out_is_refused_in_milliseconds_without_growing(gateway: tuple[str, int]) -> None:
    url, pid = gateway
    attack = fan_out(40)
    with httpx.Client(timeout=10) as client:
        for _ in range(5):  # warm up: imports, first allocations
            post(client, url, attack)
        before = rss_kib(pid)
        took = []
        for _ in range(100):
            started = time.perf_counter()
            response = post(client, url, attack)
            took.append(time.perf_counter() - started)
            assert response.status_code == 400
            error = response.json()["errors"][0]
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert error["extensions"]["limit"] == "fields"
            assert error["extensions"]["actual"] == 2**40
        grown = rss_kib(pid) - before
    # The median, round trip included, so that a busy test machine's pause is not counted as ours.
    assert statistics.median(took) < 0.05, f"the median refusal took {statistics.median(took) * 1000:.1f} ms"
    assert max(took) < 0.5
    assert grown < 5 * 1024, f"RSS grew by {grown} KiB over 100 refusals"


def test_a_normal_query_keeps_its_latency_during_a_fan_out_attack(gateway: tuple[str, int]) -> None:
    url, _ = gateway
    normal = "{ __schema { queryType { name } } }"

    def latencies(client: httpx.Client, count: int) -> list[float]:
        found = []
        for _ in range(count):
            started = time.perf_counter()
            response = post(client, url, normal)
            found.append(time.perf_counter() - started)
            assert response.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
        return found

    with httpx.Client(timeout=10) as client:
        latencies(client, 10)
        alone = statistics.median(latencies(client, 50))
        stop = threading.Event()

        def attack() -> None:
            with httpx.Client(timeout=10) as attacker:
                while not stop.is_set():
                    post(attacker, url, fan_out(40))

        attackers = [threading.Thread(target=attack) for _ in range(2)]
        for thread in attackers:
            thread.start()
        try:
            under_attack = statistics.median(latencies(client, 50))
        finally:
            stop.set()
            for thread in attackers:
                thread.join(timeout=10)
    # Two attackers share the gateway's one core with this client: a few times slower at most, never
    # the seconds an expanded fan-out costs.
    assert under_attack < alone * 5 + 0.02, (
        f"{alone * 1000:.1f} ms alone, {under_attack * 1000:.1f} under attack"
    )


def test_many_large_distinct_documents_are_refused_at_the_parser_and_not_kept(
    gateway: tuple[str, int],
) -> None:
    url, pid = gateway
    with httpx.Client(timeout=10) as client:

        def document(n: int) -> str:  # ~236 KB: 9,000 tiny operations, a different comment each time
            return f"# attempt {n}\n" + "\n".join(f"query Q{i} {{ __typename }}" for i in range(9000))

        post(client, url, document(-1))
        before = rss_kib(pid)
        for n in range(30):
            started = time.perf_counter()
            response = post(client, url, document(n))
            assert time.perf_counter() - started < 0.5
            assert response.status_code == 400
            assert limit_of(response) == ["tokens"]
        grown = rss_kib(pid) - before
    assert grown < 5 * 1024, f"RSS grew by {grown} KiB over 30 documents"


def test_documents_with_too_many_operations_or_definitions_are_refused(gateway: tuple[str, int]) -> None:
    url, _ = gateway
    operations = " ".join(f"query Q{i} {{ __typename }}" for i in range(51))
    fragments = "query { __typename } " + " ".join(
        f"fragment F{i} on Query {{ __typename }}" for i in range(500)
    )
    with httpx.Client(timeout=10) as client:
        assert limit_of(post(client, url, operations)) == ["operations"]
        refused = post(client, url, fragments)
    assert limit_of(refused) == ["definitions"]
    assert refused.json()["errors"][0]["extensions"] == {
        "code": "BAD_USER_INPUT",
        "limit": "definitions",
        "max": 500,
        "actual": 501,
    }


def test_a_field_repeated_thousands_of_times_is_told_what_to_change(gateway: tuple[str, int]) -> None:
    url, _ = gateway
    with httpx.Client(timeout=10) as client:
        started = time.perf_counter()
        response = post(client, url, "{ " + "__typename " * 1500 + "}")
        elapsed = time.perf_counter() - started
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "limit": "repeats", "max": 10, "actual": 1500}
    assert "`__typename` is selected 1500 times" in error["message"]
    assert "select each field once" in error["message"]
    # One request, connection set-up included, on a machine other tests may load: this proves no stall
    # (the median cost of refusals is measured above); speed itself is for bench/.
    assert elapsed < 0.5


def test_a_field_flood_is_refused_by_the_field_count(gateway: tuple[str, int]) -> None:
    url, _ = gateway
    # 2,001 fields, none repeated directly in one selection set.
    flood = "{ " + " ".join("... on Query { __typename }" for _ in range(2_001)) + " }"
    with httpx.Client(timeout=10) as client:
        response = post(client, url, flood)
    assert limit_of(response) == ["fields"]
    assert response.json()["errors"][0]["extensions"]["actual"] == 2_001
