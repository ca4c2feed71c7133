"""One blueprint per area. Login is required by default (see wiring.PUBLIC_ENDPOINTS)."""
from __future__ import annotations

from importlib import import_module

from flask import Blueprint

# Each module here defines `bp`. Order decides nothing but readability.
AREAS = ("auth", "dashboard", "contacts", "merge", "companies", "account", "followups", "playbooks", "settings",
         "mail_account",
         "opportunities", "interviews", "touchpoints", "activity", "insights", "calendar", "transfer", "mail", "calendar_history", "find", "people",
         "demo", "employment", "warm_paths", "attachments", "digest_links", "referrals")

# The main navigation: (blueprint, endpoint, label). Entries whose endpoint is not
# registered (an area not built yet) are left out when rendering.
NAV = (
    ("dashboard", "dashboard.index", "Dashboard"),
    ("contacts", "contacts.index", "Contacts"),
    ("companies", "companies.index", "Companies"),
    ("opportunities", "opportunities.index", "Opportunities"),
    ("followups", "followups.index", "Follow-ups"),
    ("activity", "activity.index", "Activity"),
    ("insights", "insights.index", "Insights"),
    ("transfer", "transfer.index", "Import & export"),
    ("settings", "settings.index", "Settings"),
)


def blueprints() -> list[Blueprint]:
    return [import_module(f"tracker.views.{name}").bp for name in AREAS]
