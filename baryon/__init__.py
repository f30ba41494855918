"""Baryon: a self-hosted control plane for multi-account AWS provisioning (Proton, Organizations, STS, IAM)."""

__version__ = "0.1.0"
