"""mail accounts: IMAP settings and per-folder sync state; mail thread kept; keep-first-lines

- mail_accounts: one IMAP mailbox per user (app password encrypted at rest), its schedule
  and the state of its last sync (issue 13, source 3).
- mail_folder_states: UIDVALIDITY and the last UID read, per folder.
- mail_messages.thread: a later message of a thread on a day already logged joins that
  day's touchpoint, whichever import or sync brings it.
- users.mail_keep_first_lines: keep the first lines of a mail in its touchpoint's notes.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 13:30:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('security', sa.String(length=16), nullable=False),
    sa.Column('username', sa.String(length=320), nullable=False),
    sa.Column('password', sa.String(length=2048), nullable=True),
    sa.Column('folders', sa.Text(), nullable=False),
    sa.Column('scheduled', sa.Boolean(), nullable=False),
    sa.Column('sync_status', sa.String(length=16), nullable=False),
    sa.Column('sync_done', sa.Integer(), nullable=False),
    sa.Column('sync_total', sa.Integer(), nullable=False),
    sa.Column('sync_started_at', sa.DateTime(), nullable=True),
    sa.Column('last_synced_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('last_report', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_accounts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_accounts'))
    )
    op.create_index(op.f('ix_mail_accounts_user_id'), 'mail_accounts', ['user_id'], unique=False)
    op.create_index('uq_mail_accounts_user', 'mail_accounts', ['user_id'], unique=True)
    op.create_table('mail_folder_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('uidvalidity', sa.BigInteger(), nullable=False),
    sa.Column('last_uid', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['mail_accounts.id'], name=op.f('fk_mail_folder_states_account_id_mail_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_folder_states'))
    )
    op.create_index('uq_mail_folder_states_account_name', 'mail_folder_states', ['account_id', 'name'], unique=True)
    # add_column only (no batch): see 0011.
    op.add_column('mail_messages', sa.Column('thread', sa.String(length=255), nullable=True))
    op.create_index('ix_mail_messages_user_thread', 'mail_messages', ['user_id', 'thread'], unique=False)
    op.add_column('users', sa.Column('mail_keep_first_lines', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('users', 'mail_keep_first_lines')
    op.drop_index('ix_mail_messages_user_thread', table_name='mail_messages')
    op.drop_column('mail_messages', 'thread')
    op.drop_index('uq_mail_folder_states_account_name', table_name='mail_folder_states')
    op.drop_table('mail_folder_states')
    op.drop_index('uq_mail_accounts_user', table_name='mail_accounts')
    op.drop_index(op.f('ix_mail_accounts_user_id'), table_name='mail_accounts')
    op.drop_table('mail_accounts')
