"""The gateway's Prometheus metrics, served at `/metrics`.

    qf_gateway_requests_total{operation_type, outcome}       outcome: ok | error | refused
    qf_gateway_request_duration_seconds{operation_type}       histogram
    qf_gateway_subgraph_fetches_total{subgraph, outcome}      outcome: ok | error | unavailable
    qf_gateway_subgraph_fetch_duration_seconds{subgraph}      histogram
    qf_gateway_plan_cache_total{result}                       result: hit | miss

`refused` is a request turned away before execution (limits, authentication, persisted query not
found, invalid document); `error` is one executed with errors in its answer. A subgraph fetch is
`error` when the subgraph answered with GraphQL errors and `unavailable` when it did not answer.

Everything lives on the instance's own `CollectorRegistry`, so tests and several apps in one process
do not collide. The label sets are small and known, so each child is bound once up front: the hot
path is a dictionary look-up and an increment, not prometheus_client's label resolution.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import choose_encoder

OPERATION_TYPES = ("query", "mutation", "subscription", "unknown")
OUTCOMES = ("ok", "error", "refused")
SUBGRAPH_OUTCOMES = ("ok", "error", "unavailable")

# A planned query is expected to take a few milliseconds: fine steps up to 50 ms, coarse after.
BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05)
BUCKETS += (0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class GatewayMetrics:
    def __init__(self, namespace: str = "qf_gateway", registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        prefix = f"{namespace}_" if namespace else ""
        on = {"registry": self.registry}
        requests = Counter(
            f"{prefix}requests",
            "GraphQL requests by operation type and outcome.",
            ("operation_type", "outcome"),
            **on,
        )
        duration = Histogram(
            f"{prefix}request_duration_seconds",
            "Time from request to response.",
            ("operation_type",),
            buckets=BUCKETS,
            **on,
        )
        self._fetches = Counter(
            f"{prefix}subgraph_fetches",
            "Fetches sent to subgraphs by subgraph and outcome.",
            ("subgraph", "outcome"),
            **on,
        )
        self._fetch_duration = Histogram(
            f"{prefix}subgraph_fetch_duration_seconds",
            "Time a subgraph took to answer one fetch.",
            ("subgraph",),
            buckets=BUCKETS,
            **on,
        )
        plans = Counter(f"{prefix}plan_cache", "Query plan cache look-ups.", ("result",), **on)

        self._requests = {
            (kind, outcome): requests.labels(kind, outcome)
            for kind in OPERATION_TYPES
            for outcome in OUTCOMES
        }
        self._durations = {kind: duration.labels(kind) for kind in OPERATION_TYPES}
        self._plan_hit, self._plan_miss = plans.labels("hit"), plans.labels("miss")
        # Subgraph names come from the supergraph; their children are bound on first use.
        self._subgraph_children: dict[str, tuple[dict[str, Counter], Histogram]] = {}

    def observe_request(self, operation_type: str | None, outcome: str, seconds: float) -> None:
        """Count one request; `operation_type` None (or unparsed) counts as `unknown`."""
        kind = operation_type if operation_type in self._durations else "unknown"
        counter = self._requests.get((kind, outcome))
        if counter is None:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        counter.inc()
        self._durations[kind].observe(seconds)

    def observe_fetch(self, subgraph: str, outcome: str, seconds: float) -> None:
        """Count one fetch to `subgraph` and how long it took."""
        children = self._subgraph_children.get(subgraph)
        if children is None:
            children = self._bind_subgraph(subgraph)
        counter = children[0].get(outcome)
        if counter is None:
            raise ValueError(f"outcome must be one of {', '.join(SUBGRAPH_OUTCOMES)}, not {outcome!r}")
        counter.inc()
        children[1].observe(seconds)

    def plan_cache(self, hit: bool) -> None:
        (self._plan_hit if hit else self._plan_miss).inc()

    def render(self, accept: str | None = None) -> tuple[bytes, str]:
        """The exposition and its content type for `/metrics`; OpenMetrics when `accept` asks for it."""
        encode, content_type = choose_encoder(accept or "")
        return encode(self.registry), content_type

    def _bind_subgraph(self, subgraph: str) -> tuple[dict[str, Counter], Histogram]:
        children = (
            {outcome: self._fetches.labels(subgraph, outcome) for outcome in SUBGRAPH_OUTCOMES},
            self._fetch_duration.labels(subgraph),
        )
        self._subgraph_children[subgraph] = children
        return children
