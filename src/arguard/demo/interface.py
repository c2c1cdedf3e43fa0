"""The demo capability's front door: the hidden truth of a demo company's buyers (for validation)."""

from arguard.demo.service import hidden_risk

__all__ = ["hidden_risk"]
