"""compose(): the stages run in order, each reporting every problem it finds before the next one runs.

A later stage assumes the earlier ones passed (as Apollo's do), so problems are raised at the end of each.
"""

from __future__ import annotations

from collections.abc import Sequence

from .issues import Issues
from .merge import Merger
from .model import SubgraphSource
from .printing import check_printed_supergraph, print_supergraph
from .read import SubgraphReader
from .satisfiability import SatisfiabilityCheck
from .upgrade import upgrade
from .validate import validate_subgraph


def compose(subgraphs: Sequence[SubgraphSource]) -> str:
    """The supergraph SDL of these subgraphs; raises CompositionError listing every problem found."""
    issues = Issues()
    _check_names(subgraphs, issues)
    issues.check()
    # Apollo keeps subgraphs sorted by name; the order decides the join__Graph enum and the field order.
    read = [SubgraphReader(source, issues).read() for source in sorted(subgraphs, key=lambda s: s.name)]
    issues.check()
    upgraded = upgrade([s for s in read if s is not None], issues)
    issues.check()
    for subgraph in upgraded:
        validate_subgraph(subgraph, issues)
    issues.check()
    supergraph = Merger(upgraded, issues).merge()
    issues.check()
    SatisfiabilityCheck(supergraph, issues).check()
    issues.check()
    text = print_supergraph(supergraph)
    check_printed_supergraph(text, issues)
    issues.check()
    return text


def _check_names(subgraphs: Sequence[SubgraphSource], issues: Issues) -> None:
    seen: set[str] = set()
    for source in subgraphs:
        if source.name == "_" or not source.name:
            issues.add(
                "INVALID_SUBGRAPH_NAME", f'Invalid name "{source.name}" for a subgraph: this name is reserved'
            )
        elif source.name in seen:
            issues.add(
                "INVALID_SUBGRAPH_NAME", f'Two subgraphs are named "{source.name}": names must be unique'
            )
        seen.add(source.name)
    if not subgraphs:
        issues.add(
            "NO_QUERIES", "No subgraphs to compose: a supergraph needs at least one subgraph with queries."
        )
