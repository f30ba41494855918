"""The dashboard: server-rendered pages over the same API every other client uses.

Every read and action a page performs is an ordinary AWS API call, signed with the signed-in principal's own
credentials and run in-process through the edge pipeline (`calls.py`), so the dashboard shows exactly what
that principal's policies and the organization's SCPs allow, and every call lands in the audit trail.
"""
