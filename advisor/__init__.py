"""Framework Advisor: which deep-learning framework to pick, with evidence from your own machine."""

__version__ = "0.1.0"
