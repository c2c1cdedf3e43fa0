"""collections: days overdue of each action's oldest item, kept on the action (the worklist sorts without
reading every action's JSON)

Revision ID: collections_0002
Revises: collections_0001
Create Date: 2026-12-04 21:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'collections_0002'
down_revision = 'collections_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('collections_actions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oldest_days', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('collections_actions', schema=None) as batch_op:
        batch_op.drop_column('oldest_days')
