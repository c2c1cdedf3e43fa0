"""ledger: company settings (materiality of open leftovers)

Revision ID: ledger_0001
Revises: 0001_foundation
Create Date: 2026-12-04 20:50:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'ledger_0001'
down_revision = '0001_foundation'
branch_labels = ('ledger',)
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ledger_settings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('materiality_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('materiality_currency', sa.String(length=3), nullable=False),
        sa.Column('materiality_share_bp', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.String(length=128), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('company_id'),
    )
    with op.batch_alter_table('ledger_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_settings_company_id'), ['company_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ledger_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_settings_company_id'))
    op.drop_table('ledger_settings')
