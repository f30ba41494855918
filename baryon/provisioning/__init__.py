"""Provisioning: deployments as durable workflows that render a template version and drive CloudFormation in
the target account's cloud (the embedded local cloud or real AWS), surviving a crash of any process."""
