"""Reports across assessments: the comparison of two assessments, the national benchmark and an
area's place against the others.

compare.py    blueprint "compare": /compare, /compare.csv, /compare.xlsx
benchmark.py  blueprint "benchmark": /benchmark (national team), /areas/<id>/benchmark
forms.py      the comparison picker
queries.py    figures of one assessment, ratings per area, matching profiles, area statuses

Each view reads through queries.py and hands plain values to maturity.core.comparison; peer
review (maturity.reviews) reads its figures and matching profiles from here too.
"""
