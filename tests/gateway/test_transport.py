"""Requests to subgraphs: identical queries in flight are sent once per caller identity, never mutations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.executor import SubgraphFailure
from gateway.signing import Caller
from gateway.transport import SubgraphClient
from tests.gateway.servers import serve

received: list[bytes] = []


async def slow(request: Request) -> Response:
    # Answers after 0.3 s with how many requests it had seen, so overlapping requests can share.
    received.append(await request.body())
    await asyncio.sleep(0.3)
    return Response(orjson.dumps({"data": {"seen": len(received)}}), media_type="application/json")


async def broken(request: Request) -> Response:
    received.append(await request.body())
    await asyncio.sleep(0.1)
    return Response(b"down for maintenance", 503)


APP = Starlette(routes=[Route("/slow", slow, methods=["POST"]), Route("/broken", broken, methods=["POST"])])
BODY = b'{"query":"{ seen }"}'


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serve(APP) as url:
        yield url


@pytest.fixture
async def client(base: str) -> AsyncIterator[SubgraphClient]:
    received.clear()
    subgraphs = SubgraphClient({"slow": f"{base}/slow", "broken": f"{base}/broken"}, secret=None)
    yield subgraphs
    await subgraphs.close()


async def test_identical_queries_in_flight_are_sent_once(client: SubgraphClient) -> None:
    callers = [Caller(role="public") for _ in range(10)]  # ten requests, ten request ids, one identity
    answers = await asyncio.gather(*(client.transport(c, query=True)("slow", BODY) for c in callers))
    assert len(received) == 1
    assert all(answer == {"data": {"seen": 1}} for answer in answers)
    assert len({id(answer) for answer in answers}) == 10  # each gets its own copy to merge into
    assert client.in_flight == {}


async def test_a_query_after_the_first_answered_is_sent_again(client: SubgraphClient) -> None:
    send = client.transport(Caller(), query=True)
    assert await send("slow", BODY) == {"data": {"seen": 1}}
    assert await send("slow", BODY) == {"data": {"seen": 2}}


async def test_different_callers_bodies_or_subgraphs_are_not_shared(client: SubgraphClient) -> None:
    public, registrar = Caller(), Caller(role="registrar", subject="r1", scope="UNAM")
    other_scope = Caller(role="registrar", subject="r1", scope="IPN")
    await asyncio.gather(
        client.transport(public, query=True)("slow", BODY),
        client.transport(registrar, query=True)("slow", BODY),
        client.transport(other_scope, query=True)("slow", BODY),
        client.transport(public, query=True)("slow", b'{"query":"{ seen __typename }"}'),
    )
    assert len(received) == 4


async def test_mutations_and_a_disabled_client_never_share(base: str, client: SubgraphClient) -> None:
    caller = Caller()
    await asyncio.gather(*(client.transport(caller, query=False)("slow", BODY) for _ in range(3)))
    assert len(received) == 3
    plain = SubgraphClient({"slow": f"{base}/slow"}, secret=None, deduplicate=False)
    await asyncio.gather(*(plain.transport(caller, query=True)("slow", BODY) for _ in range(3)))
    assert len(received) == 6
    await plain.close()


async def test_a_caller_that_goes_away_leaves_the_shared_request_to_the_others(
    client: SubgraphClient,
) -> None:
    send = client.transport(Caller(), query=True)
    leaving = asyncio.ensure_future(send("slow", BODY))
    staying = asyncio.ensure_future(send("slow", BODY))
    await asyncio.sleep(0.1)
    leaving.cancel()
    assert await staying == {"data": {"seen": 1}}
    assert leaving.cancelled() and len(received) == 1


async def test_a_failure_reaches_every_waiter(client: SubgraphClient) -> None:
    send = client.transport(Caller(), query=True)
    outcomes = await asyncio.gather(*(send("broken", BODY) for _ in range(4)), return_exceptions=True)
    assert len(received) == 1
    assert all(isinstance(o, SubgraphFailure) and o.code == "SUBREQUEST_HTTP_ERROR" for o in outcomes)
    assert "HTTP 503" in str(outcomes[0])


async def test_each_request_times_out_on_its_own_deadline(base: str) -> None:
    """One timer serves every request's timeout (gateway/deadlines.py): requests started at different
    times each time out after the timeout from their own start, and one that answers in time is
    answered; a caller's own cancellation stays a cancellation."""
    impatient = SubgraphClient({"slow": f"{base}/slow"}, secret=None, timeout=0.2, deduplicate=False)
    send = impatient.transport(Caller(), query=False)
    loop = asyncio.get_running_loop()

    async def timed(delay: float) -> tuple[str, float]:
        await asyncio.sleep(delay)
        started = loop.time()
        try:
            await send("slow", BODY)
            return "answered", loop.time() - started
        except SubgraphFailure as failure:
            assert failure.code == "GATEWAY_TIMEOUT" and "0.2 s" in str(failure)
            return "timed out", loop.time() - started

    outcomes = await asyncio.gather(timed(0), timed(0.1), timed(0.15))
    assert [outcome for outcome, _ in outcomes] == ["timed out"] * 3
    assert all(0.19 <= took < 0.29 for _, took in outcomes), outcomes
    assert impatient.deadlines.pending == {}

    patient = SubgraphClient({"slow": f"{base}/slow"}, secret=None, timeout=1.0, deduplicate=False)
    assert await patient.transport(Caller(), query=False)("slow", BODY) == {"data": {"seen": len(received)}}
    leaving = asyncio.ensure_future(patient.transport(Caller(), query=False)("slow", BODY))
    await asyncio.sleep(0.1)
    leaving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert patient.deadlines.pending == {}
    await impatient.close()
    await patient.close()
