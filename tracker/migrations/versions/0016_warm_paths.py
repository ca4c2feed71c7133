"""warm paths: contacts' past positions, and referrals with their own small pipeline

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 13:30:00

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('past_positions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('started', sa.String(length=10), nullable=False),
    sa.Column('ended', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', tracker.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_past_positions_company_id_companies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_past_positions_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_past_positions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_past_positions'))
    )
    op.create_index(op.f('ix_past_positions_company_id'), 'past_positions', ['company_id'], unique=False)
    op.create_index(op.f('ix_past_positions_contact_id'), 'past_positions', ['contact_id'], unique=False)
    op.create_index(op.f('ix_past_positions_user_id'), 'past_positions', ['user_id'], unique=False)
    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('asked_on', sa.Date(), nullable=True),
    sa.Column('agreed_on', sa.Date(), nullable=True),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', tracker.models.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', tracker.models.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_referrals_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_referrals_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_referrals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    op.create_index(op.f('ix_referrals_contact_id'), 'referrals', ['contact_id'], unique=False)
    op.create_index(op.f('ix_referrals_user_id'), 'referrals', ['user_id'], unique=False)
    op.create_index('uq_referrals_opportunity_contact', 'referrals', ['opportunity_id', 'contact_id'], unique=True)


def downgrade():
    op.drop_index('uq_referrals_opportunity_contact', table_name='referrals')
    op.drop_index(op.f('ix_referrals_user_id'), table_name='referrals')
    op.drop_index(op.f('ix_referrals_contact_id'), table_name='referrals')
    op.drop_table('referrals')
    op.drop_index(op.f('ix_past_positions_user_id'), table_name='past_positions')
    op.drop_index(op.f('ix_past_positions_contact_id'), table_name='past_positions')
    op.drop_index(op.f('ix_past_positions_company_id'), table_name='past_positions')
    op.drop_table('past_positions')
