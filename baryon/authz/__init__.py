"""Authorization: which IAM action and resources a call means, and whether the caller may perform it."""
