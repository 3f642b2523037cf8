"""The whole system, as operators run it: the `qf` command line and the processes it starts.

It is the one place that knows every part: it starts the subgraphs of services/ and the gateway of
gateway/ over them, with the settings read from `QF_*` and one database for all. Nothing under services/
or gateway/ imports it (tests/test_import_contracts.py checks that).
"""
