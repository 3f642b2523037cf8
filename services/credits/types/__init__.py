"""The credit bank's GraphQL types, one module per domain, as the logic is split: `catalog` (institutions,
programmes, equivalence rules), `transcript` (a certificate's credit, line by line), `conversion`
(credits between systems), `ledger` (the account's entries), `enums`, and `registry`: the registry's
entities the credit bank extends.
"""
