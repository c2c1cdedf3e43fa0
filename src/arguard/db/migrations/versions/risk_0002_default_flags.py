"""risk: insolvency and protracted-default flags (grade 10 until lifted by a recorded decision)

Revision ID: risk_0002
Revises: risk_0001
Create Date: 2026-12-04 21:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'risk_0002'
down_revision = 'risk_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'risk_default_flags',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('flagged_on', sa.Date(), nullable=False),
        sa.Column('cause', sa.String(length=255), nullable=False),
        sa.Column('flagged_by', sa.String(length=128), nullable=False),
        sa.Column('lifted_on', sa.Date(), nullable=True),
        sa.Column('lifted_by', sa.String(length=128), nullable=True),
        sa.Column('lift_reason', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('risk_default_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_default_flags_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_risk_default_flags_customer', ['company_id', 'customer_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('risk_default_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_risk_default_flags_customer')
        batch_op.drop_index(batch_op.f('ix_risk_default_flags_company_id'))
    op.drop_table('risk_default_flags')
