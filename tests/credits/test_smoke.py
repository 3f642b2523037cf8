"""A first walk through the credit bank: a rule, a deposit, an application, a transcript."""

from __future__ import annotations

from tests.conftest import GraphQLClient
from tests.credits.conftest import Campus, Issuer, approved_rule

DEPOSIT = """mutation ($folio: String!, $inst: ID!, $key: String!) {
  depositCertificate(folio: $folio, institutionId: $inst, idempotencyKey: $key) {
    replayed entry { id kind folio standardCode holderRef credits }
  }
}"""
APPLY = """mutation ($holder: String!, $program: ID!, $key: String!) {
  applyCredits(holderRef: $holder, programId: $program, idempotencyKey: $key) {
    appliedCredits totalApplied capApplied remainingCap replayed
    entries { id kind credits exemptedCourses { code } }
    lines { folio status credits reason reasonEn }
  }
}"""


async def test_deposit_then_apply(credits: GraphQLClient, campus: Campus, issuer: Issuer) -> None:
    await approved_rule(credits, campus, exemptedCourses=[{"code": "M1", "title": "Motores", "credits": 6}])
    folio, holder = await issuer.issue("EC1121")
    deposit = (
        await credits.data(
            DEPOSIT, {"folio": folio, "inst": campus.institution, "key": "k1"}, **campus.registrar
        )
    )["depositCertificate"]
    assert deposit["entry"]["holderRef"] == holder and deposit["entry"]["kind"] == "DEPOSIT"
    applied = (
        await credits.data(
            APPLY, {"holder": holder, "program": campus.program, "key": "a1"}, **campus.registrar
        )
    )["applyCredits"]
    assert applied["appliedCredits"] == 6 and applied["remainingCap"] == 14
    assert [line["status"] for line in applied["lines"]] == ["RECOGNIZED"]
    assert applied["entries"][0]["exemptedCourses"] == [{"code": "M1"}]
