"""Callers the subgraphs sign as themselves when one calls another (never the gateway's callers)."""

# The subject the credit bank signs its own calls to the registry with (services/credits/registry_link.py).
# The gateway never sends it (its subjects are `apikey:<id>`), so the registry can tell the credit bank
# verifying a deposit for the institution in the caller's scope (which discloses the learner's
# certificates to that institution) from a registrar asking.
CREDIT_BANK_SUBJECT = "service:credits"
