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


async def deposit_check(
    registry: GraphQLClient, folio: str, institution: str, curp: str
) -> dict[str, Any] | None:
    """Verifies `folio` for a deposit at `institution` by a registrar who was given the holder's `curp`, as
    services/credits/registry_link.py does; the certificate, or None when the registry refuses it."""
    representations = [{"__typename": "Certificate", "folio": folio, "holderCurp": curp}]
    variables = {"representations": representations}
    data = await registry.data(DEPOSIT_CHECK, variables, **credit_bank(institution))
    entity: dict[str, Any] | None = data["_entities"][0]
    return entity
