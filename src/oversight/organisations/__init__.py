"""Organisations, systems (ICS/ICB), places, neighbourhoods, collaboratives and CQC ratings."""
