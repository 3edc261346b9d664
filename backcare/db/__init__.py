"""Database backends: Django's own, with what backcare's deployment needs on top."""
