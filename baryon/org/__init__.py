"""AWS Organizations: the organization, its accounts, OUs and policies."""
