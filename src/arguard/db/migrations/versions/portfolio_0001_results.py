"""portfolio: stored results (page answers and loss figures keyed by their inputs)

Revision ID: portfolio_0001
Revises: 0001_foundation
Create Date: 2026-12-04 22:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'portfolio_0001'
down_revision = '0001_foundation'
branch_labels = ('portfolio',)
depends_on = None


def upgrade() -> None:
    op.create_table('portfolio_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('inputs', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_portfolio_results_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portfolio_results'))
    )
    with op.batch_alter_table('portfolio_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portfolio_results_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_portfolio_results_lookup', ['company_id', 'as_of', 'kind', 'inputs'], unique=False)


def downgrade() -> None:
    op.drop_table('portfolio_results')
