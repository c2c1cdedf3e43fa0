"""limits: released orders summed per scope, key and ship date (kept with every change of an order)

Revision ID: limits_0003
Revises: limits_0002
Create Date: 2026-11-28 19:05:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = 'limits_0003'
down_revision = 'limits_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'limits_released_by_day',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('ship_date', sa.Date(), nullable=False),
        sa.Column('minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('company_id', 'scope', 'key', 'ship_date'),
    )
    with op.batch_alter_table('limits_released_by_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_limits_released_by_day_company_id'), ['company_id'], unique=False)
    # What the orders released so far reserve.
    insert = "INSERT INTO limits_released_by_day (company_id, scope, key, ship_date, minor) "
    released = "FROM limits_orders WHERE status = 'released'"
    op.execute(insert + "SELECT company_id, 'country', country, ship_date, SUM(limit_minor) "
               f"{released} AND country IS NOT NULL GROUP BY company_id, country, ship_date")
    op.execute(insert + "SELECT company_id, 'sector', sector, ship_date, SUM(limit_minor) "
               f"{released} AND sector IS NOT NULL GROUP BY company_id, sector, ship_date")
    op.execute(insert + f"SELECT company_id, 'total', '*', ship_date, SUM(limit_minor) {released} "
               "GROUP BY company_id, ship_date")


def downgrade() -> None:
    with op.batch_alter_table('limits_released_by_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_limits_released_by_day_company_id'))
    op.drop_table('limits_released_by_day')
