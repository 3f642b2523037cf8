"""The credit bank's two lines to the registry: signed look-ups of certificates, and its change feed.

A ledger posting never takes certificate facts from the client: it asks the registry, signing the
request with the internal secret exactly as the gateway would, so the registry's own checks apply.
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

from services.common.errors import QFError
from services.common.signing import Caller, sign
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

CHANGES = """query Changes($after: String, $first: Int) {
  registryChanges(after: $after, first: $first) {
    nodes { seq entity key operation data }
    pageInfo { endCursor hasNextPage }
  }
}"""


class RegistryUnavailable(QFError):
    """The registry could not confirm the facts a posting needs; nothing was posted."""


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
        # One batching loader per institution acted for (the scope of the signed caller). No cache: every
        # posting must see the registry's facts as they are now.
        self._batches: dict[str | None, DataLoader[str, VerifiedCertificate | None]] = {}

    async def close(self) -> None:
        await self.http.aclose()

    async def _query(self, query: str, variables: dict[str, Any], caller: Caller) -> dict[str, Any]:
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
                "The registry could not be reached to verify the certificate; nothing was posted. Try again."
            ) from exc
        if response.status_code != 200 or result.get("errors"):
            log.warning("registry refused a call (%s): %s", response.status_code, result.get("errors"))
            raise RegistryUnavailable(
                "The registry did not confirm the certificate's facts; nothing was posted. Try again."
            )
        return result["data"]

    async def certificate(self, folio: str, on_behalf_of: Caller) -> VerifiedCertificate | None:
        """One certificate's facts; concurrent look-ups for one institution go to the registry together."""
        scope = on_behalf_of.scope
        if scope not in self._batches:

            async def batch(folios: list[str]) -> list[VerifiedCertificate | None]:
                found = await self.certificates(list(folios), Caller(role="registrar", scope=scope))
                return [found.get(f) for f in folios]

            self._batches[scope] = DataLoader(load_fn=batch, cache=False, max_batch_size=100)
        return await self._batches[scope].load(folio)

    async def certificates(self, folios: list[str], on_behalf_of: Caller) -> dict[str, VerifiedCertificate]:
        """The registry's facts for each folio it knows (folios it does not know are left out).

        The call carries a registrar identity for the credit bank, keeping the request id of the caller
        it serves so the two requests can be traced together.
        """
        caller = Caller(
            role="registrar",
            subject="service:credits",
            scope=on_behalf_of.scope,
            request_id=on_behalf_of.request_id,
        )
        representations = [{"__typename": "Certificate", "folio": f} for f in folios]
        data = await self._query(CERTIFICATES, {"representations": representations}, caller)
        found: dict[str, VerifiedCertificate] = {}
        for entity in data["_entities"]:
            if entity is not None:
                holder = entity.pop("holder")
                found[entity["folio"]] = VerifiedCertificate(holder_ref=holder["holderRef"], facts=entity)
        return found

    async def changes(
        self, after: str | None, first: int = 500
    ) -> tuple[list[dict[str, Any]], str | None, bool]:
        """One page of the registry's change feed: the changes, the cursor after them, whether more wait."""
        caller = Caller(role="registrar", subject="service:credits")
        try:
            data = await self._query(CHANGES, {"after": after, "first": first}, caller)
        except RegistryUnavailable as exc:  # no posting was at stake: say only what was not done
            raise RegistryUnavailable("the registry did not answer; its feed is read next round") from exc
        page = data["registryChanges"]
        return page["nodes"], page["pageInfo"]["endCursor"] or after, page["pageInfo"]["hasNextPage"]
