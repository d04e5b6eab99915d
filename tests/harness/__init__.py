"""Real database servers for the test suite, started on free loopback ports in temp dirs.

Each server class has ``start()``/``stop()`` and a connection URL; ``tests/conftest.py`` wraps
them in session fixtures. A server that cannot start raises :class:`HarnessError` with the tail
of its log, which the fixtures turn into a test failure (never a skip).
"""

from harness.common import HarnessError

__all__ = ["HarnessError"]
