"""Real programs written for other frameworks, ported to tinygrad_ru by changing only marked lines.

A line ending in ``# ported: ORIGINAL`` differs from the original program, whose line was ORIGINAL
(empty: the original has no such line); the compatibility tests (tests/test_compat_programs.py)
restore those lines to run the original next to the port.  A line ending in ``# data: ORIGINAL``
loads data through a helper the test provides (the same data for both runs, offline).
"""
