"""opportunity uid: the stable base of an opportunity's calendar events (its deadline)

opportunities.uid, unique, filled for every existing row (a UUID each, like
tracker.models.base.new_uid). The column stays nullable: making it NOT NULL on SQLite would
rebuild the table, and dropping a parent table with foreign keys on cascades into its
children (see 0011).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 13:55:00

"""
import uuid

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('opportunities', sa.Column('uid', sa.String(length=255), nullable=True))
    bind = op.get_bind()
    table = sa.table('opportunities', sa.column('id', sa.Integer), sa.column('uid', sa.String))
    ids = bind.execute(sa.select(table.c.id)).scalars().all()
    if ids:
        bind.execute(table.update().where(table.c.id == sa.bindparam('oid')).values(uid=sa.bindparam('new')),
                     [{'oid': i, 'new': f"{uuid.uuid4()}@tracker"} for i in ids])
    op.create_index('uq_opportunities_uid', 'opportunities', ['uid'], unique=True)


def downgrade():
    op.drop_index('uq_opportunities_uid', table_name='opportunities')
    op.drop_column('opportunities', 'uid')
