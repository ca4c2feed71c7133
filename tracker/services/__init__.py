"""Use cases over the database session.

Services add and flush; they never commit. The view or CLI command that called them commits
once, so a request or an import is one transaction.
"""
