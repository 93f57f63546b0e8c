"""The county's work on the townships' submissions: collect, cross-check, report.

It sits above ``exchange/`` because it reads and writes the workbooks the townships export;
the services below never import it.
"""
