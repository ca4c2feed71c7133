"""mail_import_rows and mail_import_people: a mail file's messages and correspondents between
its analysis and its import, kept in the database (flat memory, any app server)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-01 16:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_import_rows',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=True),
        sa.Column('thread', sa.String(length=255), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=True),
        sa.Column('contact_ids', sa.String(length=500), nullable=False),
        sa.Column('inbound', sa.Boolean(), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('flag', sa.String(length=16), nullable=False),
        sa.Column('kept', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['import_jobs.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('uq_mail_import_rows_job_message', 'mail_import_rows', ['job_id', 'message_id'], unique=True)
    op.create_index('ix_mail_import_rows_job_group', 'mail_import_rows', ['job_id', 'day', 'thread', 'at'],
                    unique=False)
    op.create_table(
        'mail_import_people',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=320), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('last_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['import_jobs.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('uq_mail_import_people_job_address', 'mail_import_people', ['job_id', 'address'], unique=True)


def downgrade():
    op.drop_index('uq_mail_import_people_job_address', table_name='mail_import_people')
    op.drop_table('mail_import_people')
    op.drop_index('ix_mail_import_rows_job_group', table_name='mail_import_rows')
    op.drop_index('uq_mail_import_rows_job_message', table_name='mail_import_rows')
    op.drop_table('mail_import_rows')
