"""Support and intervention: support cases opened by segment decisions, the Recovery Support
Programme with its exit criteria, and SOAG actions tracked to completion or board escalation."""
