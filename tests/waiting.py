"""How long a test waits for a state before it gives up.

Tests wait on state, never on the clock: this is only the ceiling that turns a hang into a
failure. It is generous on purpose: on a machine shared with other work (CI has two cores), what
takes 50 ms alone can take seconds. Speed goals live in ``benchmarks/``.
"""

CEILING = 120.0
"""Seconds: the longest any wait in the tests lasts before it fails."""
