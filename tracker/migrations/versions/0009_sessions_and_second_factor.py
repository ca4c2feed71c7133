"""server-side sessions, recovery codes, second-factor throttling, the TOTP secret encrypted

- user_sessions: one row per signed-in browser (a digest of its key); signing out deletes
  it. Replaces users.session_version, which could only end every session at once.
- recovery_codes: single-use codes for a lost phone, stored as digests.
- users.totp_last_step: the last accepted TOTP time step (a code works once).
- login_attempts.kind / device: password and code failures counted apart; failures from a
  known browser counted against that browser only.
- users.totp_secret: encrypted with the instance's ENCRYPTION_KEY (Fernet), never plain.
  The column is rebuilt (add, copy encrypted, drop, rename) rather than altered: on SQLite
  an ALTER would recreate `users`, and dropping a parent table with foreign keys on would
  cascade into every row of every user.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:40:00

"""
from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def _fernet():
    # The key as the app resolved it (setting or <instance>/encryption_key); the first of a
    # comma-separated list encrypts, all decrypt (as tracker.encryption does).
    from cryptography.fernet import Fernet, MultiFernet

    keys = [k.strip() for k in current_app.config["ENCRYPTION_KEY"].split(",") if k.strip()]
    return MultiFernet([Fernet(k) for k in keys])


def _rewrite_totp(convert, length):
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String),
                     sa.column("totp_new", sa.String))
    op.add_column("users", sa.Column("totp_new", sa.String(length=length), nullable=True))
    bind = op.get_bind()
    for user_id, secret in bind.execute(sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret.isnot(None))).all():
        bind.execute(users.update().where(users.c.id == user_id).values(totp_new=convert(secret)))
    op.drop_column("users", "totp_secret")
    op.execute("ALTER TABLE users RENAME COLUMN totp_new TO totp_secret")


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('secrets', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_digest', name=op.f('uq_user_sessions_key_digest'))
    )
    op.create_index(op.f('ix_user_sessions_user_id'), 'user_sessions', ['user_id'], unique=False)
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_digest', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'], unique=False)

    op.add_column('login_attempts', sa.Column('kind', sa.String(length=16), server_default='password', nullable=False))
    op.add_column('login_attempts', sa.Column('device', sa.String(length=64), nullable=True))
    op.create_index('ix_login_attempts_device_at', 'login_attempts', ['device', 'at'], unique=False)

    op.add_column('users', sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.drop_column('users', 'session_version')
    fernet = _fernet()
    _rewrite_totp(lambda secret: fernet.encrypt(secret.encode()).decode(), 255)


def downgrade():
    fernet = _fernet()
    _rewrite_totp(lambda token: fernet.decrypt(token.encode()).decode(), 64)
    op.add_column('users', sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
    op.drop_column('users', 'totp_last_step')
    op.drop_index('ix_login_attempts_device_at', table_name='login_attempts')
    op.drop_column('login_attempts', 'device')
    op.drop_column('login_attempts', 'kind')
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    op.drop_index(op.f('ix_user_sessions_user_id'), table_name='user_sessions')
    op.drop_table('user_sessions')
