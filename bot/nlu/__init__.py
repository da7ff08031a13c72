"""Rasa custom NLU components (the only modules of ``bot`` besides actions that import Rasa)."""
