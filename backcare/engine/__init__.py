"""The clinical engine: pure functions over frozen values. No Django, database, clock or network.

The same inputs and content version give the same output; every result carries
``ENGINE_VERSION``, which changes whenever a rule changes.
"""

ENGINE_VERSION = "0.1.0"
