"""Gateway metrics (gateway/metrics.py): names, labels, buckets and the /metrics exposition."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.metrics import GatewayMetrics


def samples(metrics: GatewayMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body, content_type = metrics.render()
    assert content_type.startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def value(metrics: GatewayMetrics, name: str, **labels: str) -> float:
    return samples(metrics)[(name, tuple(sorted(labels.items())))]


def test_requests_are_counted_by_operation_type_and_outcome() -> None:
    metrics = GatewayMetrics()
    metrics.observe_request("query", "ok", 0.004)
    metrics.observe_request("query", "ok", 0.006)
    metrics.observe_request("mutation", "error", 0.02)
    metrics.observe_request(None, "refused", 0.0001)
    metrics.observe_request("nonsense", "refused", 0.0001)
    assert value(metrics, "qf_gateway_requests_total", operation_type="query", outcome="ok") == 2
    assert value(metrics, "qf_gateway_requests_total", operation_type="mutation", outcome="error") == 1
    assert value(metrics, "qf_gateway_requests_total", operation_type="unknown", outcome="refused") == 2
    assert value(metrics, "qf_gateway_requests_total", operation_type="query", outcome="refused") == 0
    assert value(metrics, "qf_gateway_request_duration_seconds_count", operation_type="query") == 2
    total = value(metrics, "qf_gateway_request_duration_seconds_sum", operation_type="query")
    assert total == pytest.approx(0.01)


def test_request_durations_have_fine_buckets_below_50_ms() -> None:
    metrics = GatewayMetrics()
    metrics.observe_request("query", "ok", 0.0042)
    bucket = "qf_gateway_request_duration_seconds_bucket"
    bounds = [
        float(dict(labels)["le"])
        for (name, labels), _ in samples(metrics).items()
        if name == bucket and dict(labels)["operation_type"] == "query"
    ]
    assert len([b for b in bounds if b <= 0.05]) >= 10
    assert value(metrics, bucket, operation_type="query", le="0.003") == 0
    assert value(metrics, bucket, operation_type="query", le="0.005") == 1


def test_subgraph_fetches_are_counted_and_timed_per_subgraph() -> None:
    metrics = GatewayMetrics()
    metrics.observe_fetch("registry", "ok", 0.002)
    metrics.observe_fetch("registry", "ok", 0.003)
    metrics.observe_fetch("credits", "unavailable", 1.5)
    metrics.observe_fetch("registry", "error", 0.004)
    assert value(metrics, "qf_gateway_subgraph_fetches_total", subgraph="registry", outcome="ok") == 2
    assert value(metrics, "qf_gateway_subgraph_fetches_total", subgraph="registry", outcome="error") == 1
    assert value(metrics, "qf_gateway_subgraph_fetches_total", subgraph="credits", outcome="unavailable") == 1
    assert value(metrics, "qf_gateway_subgraph_fetch_duration_seconds_count", subgraph="registry") == 3
    assert value(metrics, "qf_gateway_subgraph_fetch_duration_seconds_count", subgraph="credits") == 1


def test_plan_cache_hits_and_misses() -> None:
    metrics = GatewayMetrics()
    for hit in (False, True, True, True):
        metrics.plan_cache(hit)
    assert value(metrics, "qf_gateway_plan_cache_total", result="hit") == 3
    assert value(metrics, "qf_gateway_plan_cache_total", result="miss") == 1


def test_unknown_outcomes_are_a_programming_error() -> None:
    metrics = GatewayMetrics()
    with pytest.raises(ValueError, match="outcome"):
        metrics.observe_request("query", "fine", 0.1)
    with pytest.raises(ValueError, match="outcome"):
        metrics.observe_fetch("registry", "refused", 0.1)


def test_each_instance_has_its_own_registry() -> None:
    first, second = GatewayMetrics(), GatewayMetrics()
    first.plan_cache(True)
    assert value(second, "qf_gateway_plan_cache_total", result="hit") == 0
    bare = GatewayMetrics(namespace="")
    bare.plan_cache(False)
    assert value(bare, "plan_cache_total", result="miss") == 1


def test_openmetrics_when_the_scraper_asks_for_it() -> None:
    metrics = GatewayMetrics()
    metrics.observe_request("query", "ok", 0.01)
    body, content_type = metrics.render("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    assert body.rstrip().endswith(b"# EOF")
    body, content_type = metrics.render("text/plain")
    assert content_type.startswith("text/plain") and b"# EOF" not in body
