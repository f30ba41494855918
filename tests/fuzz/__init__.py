"""A fuzz harness driven by the service models: valid and mutated inputs for every served operation.

Reuse: a service registered in `baryon.providers.operation_tables()` is fuzzed automatically (its model is
read from `baryon/edge/models/`). To check that rejected inputs of a new create operation leave nothing
behind, add a `CreateCheck` to `tests.fuzz.state.CHECKS`. Modules: `patterns` (strings for model patterns),
`generate` (valid inputs and mutations), `encode` (awsJson and query wire forms), `junk` (raw bodies, headers,
signatures), `sender` (SigV4 over keep-alive `http.client`), `checks` (what every answer must satisfy, and
the tally written to `last-run.json`), `runner` (one service against a server), `state` (create checks).
"""
