"""Composition: Federation subgraph SDLs into one supergraph SDL in Apollo's join format.

The gateway (and Apollo's router and gateway) read the result; it follows @apollo/composition's rules
and error codes, and the tests compare both on the same inputs. In stages, each reporting every problem
it finds before the next runs (a later stage assumes the earlier ones passed, as Apollo's do):

1. read (`read`): parse each SDL, resolve federation directive names (`@link` imports, `federation__`
   names, Federation 1's plain names) and check the subgraph is valid GraphQL;
2. upgrade (`upgrade`) Federation 1 subgraphs as Apollo does (type extensions become definitions, fields
   several subgraphs resolve become @shareable, unused @external fields go);
3. validate (`validate`) each subgraph's federation directives (@key, @requires, @provides, @external, ...);
4. merge (`merge`, with `fields`, `signatures`, `override`, `interfaces`, `inaccessible`) types by name
   into the supergraph, checking sharing, override and type compatibility;
5. check (`satisfiability`) that every query path can be planned (a conservative form of Apollo's
   satisfiability check);
6. print (`printing`) the supergraph SDL, and check it is valid GraphQL.

`pipeline.compose` runs them. Shared by the stages: `model` (a subgraph), `facts` (what its federation
directives imply), `fieldsets` (@key/@requires/@provides selections), `merged` (the supergraph being
built), `carry` (descriptions and directives the supergraph keeps) and `issues` (problems and messages).

Not done (Apollo does them): the full satisfiability check, @composeDirective, @context/@fromContext;
@authenticated, @requiresScopes, @policy, @cost and @listSize are accepted but not carried into the
supergraph.
"""

from .issues import CompositionError, CompositionIssue
from .model import SubgraphSource
from .pipeline import compose

__all__ = ["CompositionError", "CompositionIssue", "SubgraphSource", "compose"]
