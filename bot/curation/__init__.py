"""Keeping the lists: trying a question as any unit with the reasons behind the answer, and
learning from the questions the assistant could not answer (the maintainers' console uses both)."""
