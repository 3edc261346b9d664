"""The clinical engine: pure functions over frozen values. No Django, database, clock or network."""
