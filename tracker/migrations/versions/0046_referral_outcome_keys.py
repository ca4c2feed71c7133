"""The referral outcome step's key names its outcome: "...:tell_outcome.hired:<contact>"

The referral_outcome playbook's one step ("tell them how it ended, and thank them") was keyed
per referral and referrer only, so once planned it was never offered again, also when the
outcome changed (not hired, then the offer accepted after all: hired). Its key now holds the
outcome (tracker.domain.playbooks.idempotency_key). The follow-ups planned before get the
outcome their referral has now, the one they told as far as anyone can know, so that the same
outcome is still not offered twice. A referral with no outcome now (its application opened
again) keeps the old key: which outcome it told is not known, and that ending no longer holds.

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-03 09:35:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0046'
down_revision = '0045'
branch_labels = None
depends_on = None

OUTCOMES = ('hired', 'not_hired', 'declined')  # tracker.models.referrals.OUTCOMES, as of this revision
followups = sa.table('followups', sa.column('id', sa.Integer), sa.column('playbook_key', sa.String))
referrals = sa.table('referrals', sa.column('id', sa.Integer), sa.column('status', sa.String))


def _steps(bind, step=None):
    """(follow-up id, its key's five parts) of the outcome steps, those keyed `step` when
    given (else those with an outcome in the key), in the order planned."""
    rows = bind.execute(sa.select(followups.c.id, followups.c.playbook_key)
                        .where(followups.c.playbook_key.like('referral_outcome:referral:%'))
                        .order_by(followups.c.id)).all()
    out = []
    for id_, key in rows:
        parts = key.split(':')
        if len(parts) == 5 and parts[:2] == ['referral_outcome', 'referral'] and parts[2].isdigit() and (
                parts[3] == step if step else parts[3].startswith('tell_outcome.')):
            out.append((id_, parts))
    return out


def _rekey(bind, keys: dict[int, str]) -> None:
    for id_, key in keys.items():
        bind.execute(followups.update().where(followups.c.id == id_).values(playbook_key=key))


def upgrade():
    bind = op.get_bind()
    steps = _steps(bind, 'tell_outcome')
    ids = {int(parts[2]) for _, parts in steps}
    status = dict(bind.execute(sa.select(referrals.c.id, referrals.c.status)
                               .where(referrals.c.id.in_(sorted(ids)))).all()) if ids else {}
    _rekey(bind, {id_: ':'.join(parts[:3] + [f'tell_outcome.{status[int(parts[2])]}', parts[4]])
                  for id_, parts in steps if status.get(int(parts[2])) in OUTCOMES})


def downgrade():
    # One step per referral and referrer again: the latest planned gets the old key (unless
    # a step still has it), the others keep theirs (the old code plans nothing under them).
    bind = op.get_bind()
    kept = {(parts[2], parts[4]) for _, parts in _steps(bind, 'tell_outcome')}
    latest = {(parts[2], parts[4]): (id_, ':'.join(parts[:3] + ['tell_outcome', parts[4]]))
              for id_, parts in _steps(bind)}
    _rekey(bind, dict(v for k, v in latest.items() if k not in kept))
