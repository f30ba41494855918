"""CodeStar Connections / CodeConnections: *hosts* (a self-managed Git server: GitHub Enterprise Server or
GitLab self-managed, at a `ProviderEndpoint`) and *connections* (a named, account-scoped link to a provider,
possibly through a host) that other services (Proton repositories) use to reach Git repositories.

The two services are one API under two names (`codestar-connections`, 2019, and its successor
`codeconnections`, 2023): the same functions serve both, and a resource created through one is visible
through the other.
"""
