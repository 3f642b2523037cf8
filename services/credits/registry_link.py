"""The credit bank's lines to the registry: signed look-ups of certificates and standards, its change feed.

A ledger posting never takes certificate facts from the client: it asks the registry, signing the
request with the internal secret exactly as the gateway would, so the registry's own checks apply. An
equivalence rule likewise names only standards the registry confirms it knows.
Certificates are looked up through the registry's `_entities`, which resolves any number of folios in one
SQL round trip; look-ups made at the same moment by concurrent postings share one such call.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from strawberry.dataloader import DataLoader

from gateway.signing import Caller, sign
from services.common.callers import CREDIT_BANK_SUBJECT
from services.common.errors import QFError
from services.credits.transcript import Certificate

log = logging.getLogger(__name__)

CERTIFICATES = """query Certificates($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Certificate {
      folio standardCode scope issuedOn expiresOn status revokedOn
      holder { holderRef }
      standard { equivalentEarlierVersions }
    }
  }
}"""

STANDARDS = """query Standards($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Standard { code } }
}"""

CHANGES = """query Changes($after: String, $first: Int) {
  registryChanges(after: $after, first: $first) {
    nodes { seq entity key operation data }
    pageInfo { endCursor hasNextPage }
  }
}"""


class RegistryUnavailable(QFError):
    """The registry could not confirm the facts a write needs; nothing was written, and a retry may work."""

    code = "SERVICE_UNAVAILABLE"


@dataclass(frozen=True)
class VerifiedCertificate:
    holder_ref: str
    facts: dict[str, Any]  # the registry's answer, as `@requires` would hand it over (holder left out)

    @property
    def certificate(self) -> Certificate:
        return certificate_from_graphql(self.facts)


def certificate_from_graphql(data: dict[str, Any]) -> Certificate:
    """A `Certificate` as the registry's GraphQL shows it (also what `@requires` hands the credit bank)."""
    return Certificate(
        folio=data["folio"],
        standard_code=data["standardCode"],
        issued_on=date.fromisoformat(data["issuedOn"]),
        expires_on=date.fromisoformat(data["expiresOn"]) if data.get("expiresOn") else None,
        revoked=data.get("status") == "REVOKED",
        revoked_on=date.fromisoformat(data["revokedOn"]) if data.get("revokedOn") else None,
        whole=data.get("scope", "WHOLE") == "WHOLE",
        equivalent_earlier=tuple((data.get("standard") or {}).get("equivalentEarlierVersions") or ()),
    )


class RegistryClient:
    """Signed GraphQL calls from the credit bank to the registry."""

    def __init__(self, url: str, secret: bytes, http: httpx.AsyncClient | None = None) -> None:
        self.url = url
        self.secret = secret
        self.http = http or httpx.AsyncClient(timeout=10.0)
        # One batching loader per institution acted for (the scope of the signed caller) and role. No cache:
        # every posting must see the registry's facts as they are now.
        self._batches: dict[
            tuple[str, str | None], DataLoader[tuple[str, str | None], VerifiedCertificate | None]
        ] = {}

    async def close(self) -> None:
        await self.http.aclose()

    async def _query(
        self,
        query: str,
        variables: dict[str, Any],
        caller: Caller,
        *,
        purpose: str = "verify the certificate",
        outcome: str = "nothing was posted",
    ) -> dict[str, Any]:
        """The call's `data`; `RegistryUnavailable` saying it could not `purpose`, so `outcome`, when the
        registry cannot be reached or refuses."""
        body = json.dumps({"query": query, "variables": variables}).encode()
        target = httpx.URL(self.url)
        headers = sign(self.secret, caller, body=body, target=target.raw_path.decode())
        try:
            response = await self.http.post(
                self.url, content=body, headers={**headers, "content-type": "application/json"}
            )
            result = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("registry call failed: %s", exc)
            raise RegistryUnavailable(
                f"The registry could not be reached to {purpose}; {outcome}. Try again."
            ) from exc
        if response.status_code != 200 or result.get("errors"):
            log.warning("registry refused a call (%s): %s", response.status_code, result.get("errors"))
            raise RegistryUnavailable(
                f"The registry did not answer the request to {purpose}; {outcome}. Try again."
            )
        return result["data"]

    async def certificate(
        self, folio: str, on_behalf_of: Caller, holder_curp: str | None
    ) -> VerifiedCertificate | None:
        """One certificate's facts, if the registry confirms it is the holder's whose CURP the depositor
        gave (`None` only for an admin's deposit); concurrent look-ups for one institution go together."""
        acting = _acting_for(on_behalf_of)
        batch_key = (acting.role, acting.scope)
        if batch_key not in self._batches:

            async def batch(presented: list[tuple[str, str | None]]) -> list[VerifiedCertificate | None]:
                return await self.certificates(list(presented), acting)

            self._batches[batch_key] = DataLoader(load_fn=batch, cache=False, max_batch_size=100)
        return await self._batches[batch_key].load((folio, holder_curp))

    async def certificates(
        self, presented: list[tuple[str, str | None]], on_behalf_of: Caller
    ) -> list[VerifiedCertificate | None]:
        """The registry's facts for each (folio, holder's CURP) presented, in order; None where the registry
        knows no such certificate of that holder.

        The call acts for the institution in `on_behalf_of.scope`: the registry records that the learner
        presented the certificate there (`services/registry/privacy.py`)."""
        representations = [
            {"__typename": "Certificate", "folio": folio} | ({"holderCurp": curp} if curp is not None else {})
            for folio, curp in presented
        ]
        data = await self._query(
            CERTIFICATES, {"representations": representations}, _acting_for(on_behalf_of)
        )
        found: list[VerifiedCertificate | None] = []
        for entity in data["_entities"]:
            if entity is None:
                found.append(None)
            else:
                holder = entity.pop("holder")
                found.append(VerifiedCertificate(holder_ref=holder["holderRef"], facts=entity))
        return found

    async def known_standards(self, codes: list[str], on_behalf_of: Caller) -> set[str]:
        """Which of these standard codes (versions, e.g. EC0217.01) the registry has, in any status."""
        representations = [{"__typename": "Standard", "code": c} for c in codes]
        data = await self._query(
            STANDARDS,
            {"representations": representations},
            _acting_for(on_behalf_of),
            purpose="check the standards the rule names",
            outcome="the rule was not stored",
        )
        return {entity["code"] for entity in data["_entities"] if entity is not None}

    async def changes(
        self, after: str | None, first: int = 500
    ) -> tuple[list[dict[str, Any]], str | None, bool]:
        """One page of the registry's change feed: the changes, the cursor after them, whether more wait.

        Certificate events come for the learners disclosed to any institution: those that can have deposits.
        """
        caller = Caller(role="registrar", subject=CREDIT_BANK_SUBJECT)
        try:
            data = await self._query(CHANGES, {"after": after, "first": first}, caller)
        except RegistryUnavailable as exc:  # no posting was at stake: say only what was not done
            raise RegistryUnavailable("the registry did not answer; its feed is read next round") from exc
        page = data["registryChanges"]
        return page["nodes"], page["pageInfo"]["endCursor"] or after, page["pageInfo"]["hasNextPage"]


def _acting_for(caller: Caller) -> Caller:
    """The credit bank's identity at the registry: a registrar (an admin when it serves one, whose deposit
    the registry takes without the holder's CURP), keeping the scope and the request id of the caller it
    serves so the two requests can be traced together."""
    return Caller(
        role="admin" if caller.role == "admin" else "registrar",
        subject=CREDIT_BANK_SUBJECT,
        scope=caller.scope,
        request_id=caller.request_id,
    )
