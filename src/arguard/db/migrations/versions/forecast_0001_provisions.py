"""forecast: stored provisions

Revision ID: forecast_0001
Revises: 0001_foundation
Create Date: 2026-12-04 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'forecast_0001'
down_revision = '0001_foundation'
branch_labels = ('forecast',)
depends_on = None

_MINOR = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('forecast_provisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('matrix_minor', _MINOR, nullable=False),
    sa.Column('matrix_net_minor', _MINOR, nullable=False),
    sa.Column('buyers_minor', _MINOR, nullable=False),
    sa.Column('buyers_net_minor', _MINOR, nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('matrix', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_forecast_provisions_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_provisions'))
    )
    with op.batch_alter_table('forecast_provisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_provisions_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_forecast_provisions_company_as_of', ['company_id', 'as_of'], unique=False)


def downgrade() -> None:
    op.drop_table('forecast_provisions')
