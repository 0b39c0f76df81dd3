"""Reliability and security tests: nothing lost, nobody in where they don't belong, the server stays up.

What each file proves, with how many cases, is written up in ``docs/reliability.md``.
"""
