"""Segmentation: proposed segments with reasons, and the decisions people record on them."""
