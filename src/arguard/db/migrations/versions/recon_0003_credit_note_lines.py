"""recon: a proposal line for a credit note the payer deducted keeps the ledger's credit-note applications

Revision ID: recon_0003
Revises: recon_0002
Create Date: 2026-12-04 23:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'recon_0003'
down_revision = 'recon_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recon_proposal_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit_applications', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('recon_proposal_lines', schema=None) as batch_op:
        batch_op.drop_column('credit_applications')
