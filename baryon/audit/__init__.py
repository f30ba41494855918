"""The audit trail: one record per request that reached the edge."""
