"""Proton's platform API: environment and service templates and their versions (more to come)."""
