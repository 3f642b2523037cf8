"""The credit bank's deposit check, as the registry sees it: what discloses a learner to an institution."""

from __future__ import annotations

from typing import Any

from services.common.callers import CREDIT_BANK_SUBJECT
from tests.conftest import GraphQLClient

DEPOSIT_CHECK = """query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Certificate { folio status holder { holderRef } } }
}"""


def credit_bank(institution: str) -> dict[str, Any]:
    """The signed caller of the credit bank verifying a deposit at `institution`."""
    return {"role": "registrar", "subject": CREDIT_BANK_SUBJECT, "scope": institution}


async def deposit_check(registry: GraphQLClient, folio: str, institution: str) -> dict[str, Any]:
    """Verifies `folio` for a deposit at `institution`, as services/credits/registry_link.py does."""
    representations = [{"__typename": "Certificate", "folio": folio}]
    variables = {"representations": representations}
    data = await registry.data(DEPOSIT_CHECK, variables, **credit_bank(institution))
    entity: dict[str, Any] = data["_entities"][0]
    return entity
