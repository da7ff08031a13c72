"""镇街权责助手: knowledge base, verdict engine and matching for town/street powers.

Nothing in this package imports Rasa except the modules that plug into it.
"""

__version__ = "0.1.0"
