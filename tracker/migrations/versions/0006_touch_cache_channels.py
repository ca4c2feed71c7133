"""touch cache by channel: refill contacts.last_touch_on, last_reply_on, unanswered_count

The channel rule (tracker.domain.cadence.touch_kind, issue 11): a LinkedIn connection is
not an interaction; a conversation (call, video call, meeting, event, in person) is two-way
whoever started it; a thank-you note from me starts the clock but never counts as
unanswered. The cache filled by 0002 treated every touch alike; refill it by the rule (the
same as services.cadence.summarize; tests/services/test_cadence.py checks they agree).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

CONVERSATIONS = "('call', 'video_call', 'meeting', 'event', 'in_person')"
TOUCHES = ("FROM touchpoints t JOIN touchpoint_contacts tc ON tc.touchpoint_id = t.id "
           "WHERE tc.contact_id = contacts.id AND t.channel <> 'linkedin_connection'")


def refill():
    op.execute(f"UPDATE contacts SET last_touch_on = (SELECT max(t.happened_on) {TOUCHES}), "
               f"last_reply_on = (SELECT max(t.happened_on) {TOUCHES} "
               f"AND (t.inbound OR t.channel IN {CONVERSATIONS}))")
    op.execute(f"UPDATE contacts SET unanswered_count = (SELECT CASE WHEN count(DISTINCT t.happened_on) > 3 THEN 3 "
               f"ELSE count(DISTINCT t.happened_on) END {TOUCHES} AND NOT t.inbound "
               f"AND t.channel NOT IN {CONVERSATIONS} AND t.channel <> 'thank_you' "
               f"AND (contacts.last_reply_on IS NULL OR t.happened_on > contacts.last_reply_on))")


def upgrade():
    refill()


def downgrade():
    # The old rule's values (as 0002 filled them).
    touches = ("FROM touchpoints t JOIN touchpoint_contacts tc ON tc.touchpoint_id = t.id "
               "WHERE tc.contact_id = contacts.id")
    op.execute(f"UPDATE contacts SET last_touch_on = (SELECT max(t.happened_on) {touches}), "
               f"last_reply_on = (SELECT max(t.happened_on) {touches} AND t.inbound)")
    op.execute(f"UPDATE contacts SET unanswered_count = (SELECT CASE WHEN count(DISTINCT t.happened_on) > 3 THEN 3 "
               f"ELSE count(DISTINCT t.happened_on) END {touches} AND NOT t.inbound "
               f"AND (contacts.last_reply_on IS NULL OR t.happened_on > contacts.last_reply_on))")
