"""forecast: stored page results (the forecast page reads them instead of recomputing)

Revision ID: forecast_0002
Revises: forecast_0001
Create Date: 2026-12-04 22:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'forecast_0002'
down_revision = 'forecast_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecast_page_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('inputs', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_forecast_page_results_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_page_results'))
    )
    with op.batch_alter_table('forecast_page_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_page_results_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_forecast_page_results_company_as_of', ['company_id', 'as_of'], unique=False)


def downgrade() -> None:
    op.drop_table('forecast_page_results')
