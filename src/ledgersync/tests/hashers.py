"""The password hasher the test suite uses: Django's PBKDF2 with one iteration.

Django's default (1,000,000 iterations) takes most of a second a password on this machine,
and the suite hashes thousands (each ``seed_demo`` makes three users, each log-in checks
one). The algorithm name stays ``pbkdf2_sha256`` and the iteration count is written into
each hash, so a password set here is still checked correctly by the default hasher, as
processes a test starts (``ledgersync serve``, a worker) use.
"""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1
