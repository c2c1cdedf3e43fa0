"""risk: financial statements and buyer grades

Revision ID: risk_0001
Revises: 0001_foundation
"""
import sqlalchemy as sa
from alembic import op

revision = 'risk_0001'
down_revision = '0001_foundation'
branch_labels = ('risk',)
depends_on = None


def upgrade() -> None:
    op.create_table(
        'risk_statements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('fiscal_year_end', sa.Date(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('source', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_risk_statements_company_id_companies'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_risk_statements_customer_id_customers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_statements')),
    )
    op.create_index('ix_risk_statements_company_id', 'risk_statements', ['company_id'])
    op.create_index('ix_risk_statements_customer_id', 'risk_statements', ['customer_id'])
    op.create_index('ix_risk_statements_customer_year', 'risk_statements', ['company_id', 'customer_id', 'fiscal_year'])
    op.create_table(
        'risk_grades',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('pd_12m', sa.Float(), nullable=False),
        sa.Column('grade', sa.Integer(), nullable=False),
        sa.Column('confidence', sa.String(length=8), nullable=False),
        sa.Column('financial_pd', sa.Float(), nullable=True),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('inputs', sa.JSON(), nullable=False),
        sa.Column('model_version', sa.String(length=64), nullable=False),
        sa.Column('trigger', sa.String(length=64), nullable=False),
        sa.Column('actor', sa.String(length=128), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_risk_grades_company_id_companies'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_risk_grades_customer_id_customers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_grades')),
    )
    op.create_index('ix_risk_grades_company_id', 'risk_grades', ['company_id'])
    op.create_index('ix_risk_grades_customer_id', 'risk_grades', ['customer_id'])
    op.create_index('ix_risk_grades_customer_asof', 'risk_grades', ['company_id', 'customer_id', 'as_of'])


def downgrade() -> None:
    op.drop_table('risk_grades')
    op.drop_table('risk_statements')
