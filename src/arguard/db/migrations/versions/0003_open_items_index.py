"""ledger: partial index of open items per buyer (what the order check reads of them)

Revision ID: 0003_open_items_index
Revises: 0002_audit_pending
Create Date: 2026-11-28 19:28:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0003_open_items_index'
down_revision = '0002_audit_pending'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_open_items',
                              ['company_id', 'customer_id', 'currency', 'due_date', 'open_minor', 'disputed'],
                              unique=False, postgresql_where=sa.text('open_minor <> 0'),
                              sqlite_where=sa.text('open_minor <> 0'))


def downgrade() -> None:
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_open_items', postgresql_where=sa.text('open_minor <> 0'),
                            sqlite_where=sa.text('open_minor <> 0'))
