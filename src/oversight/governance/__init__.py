"""Governance: bodies, terms of reference, membership, meetings, papers, conflicts and minutes."""
