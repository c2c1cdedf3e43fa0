"""recon: a residual settled by hand (written off, applied, not a customer's money) records how, by whom, when

Revision ID: recon_0002
Revises: recon_0001
Create Date: 2026-12-04 21:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'recon_0002'
down_revision = 'recon_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recon_residuals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolution', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('resolved_by', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('recon_residuals', schema=None) as batch_op:
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('resolved_by')
        batch_op.drop_column('resolution')
