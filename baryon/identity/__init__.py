"""The identity plane: IAM principals, policies and access keys, and STS sessions."""
