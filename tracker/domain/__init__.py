"""Pure rules (cadence, playbooks, agenda, names): no Flask, no SQLAlchemy, no clock.

Every function takes `today` (the user's local date) or `now` as an argument.
"""
