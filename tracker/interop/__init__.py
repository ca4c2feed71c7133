"""Pure file formats: bytes/text <-> plain dataclasses.

These modules are the only ones that import vobject, icalendar or csv. They import nothing
of the app (no Flask, no SQLAlchemy, no clock), so they are tested on files alone.
"""
