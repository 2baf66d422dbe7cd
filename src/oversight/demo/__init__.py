"""The demo dataset: England's regions, ICBs and trusts, Cambridgeshire and Peterborough in
detail, and deterministic synthetic (plus real A&E) observations. See docs/demo.md."""

from oversight.demo.load import DemoSummary, load_demo

__all__ = ["DemoSummary", "load_demo"]
