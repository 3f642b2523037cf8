"""CONOCER's national registry (RENEC) as both the registry and the crosswalk read it.

One home for what the two services must agree on, so neither imports the other: the published
reference facts (SCIAN 2023 sectors, the five level descriptors, `reference`), the format of RENEC's
standards list and its validation (`standards`), and the hand-typed sample of real RENEC entries
(`sample`). The registry writes these into its tables; the crosswalk turns them into items and edges.
"""
