"""platform: users can be disabled, and their dashboard sessions revoked (a per-user session version)

Revision ID: 0004_platform_security
Revises: 0003_open_items_index
Create Date: 2026-12-04 20:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_platform_security'
down_revision = '0003_open_items_index'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
        batch_op.drop_column('active')
