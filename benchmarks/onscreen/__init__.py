"""On-screen benchmarks of dbtui against the tools users would pick instead (issue #19).

Run through ``benchmarks/run``; see :mod:`onscreen.__main__` for what each row measures.
"""
