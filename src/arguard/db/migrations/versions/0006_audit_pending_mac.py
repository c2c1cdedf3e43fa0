"""platform: audit entries waiting to be sealed carry a MAC (keyed like the chain), so an edit made before
they join the chain is caught

Revision ID: 0006_audit_pending_mac
Revises: 0005_installation_keys
Create Date: 2026-12-04 21:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_audit_pending_mac'
down_revision = '0005_installation_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_pending', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mac', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_pending', schema=None) as batch_op:
        batch_op.drop_column('mac')
