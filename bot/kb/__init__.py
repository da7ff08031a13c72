"""The knowledge base: ORM models, building from ``knowledge/``, and queries."""
