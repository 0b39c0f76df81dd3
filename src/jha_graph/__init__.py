"""jha-graph: a knowledge graph of EU Justice and Home Affairs policy, extracted from eucrim news."""

__version__ = "0.1.0"
