"""Helpers shared by the test suites (no tests here): a phone's join and vote (workshops), the
browser pages' helpers (browser), sample upload files (files) and the anonymity attacker
(anonymity_attacker).

Test modules import from here, never from one another.
"""
