"""platform: fingerprints of the installation's keys, so a process with another key cannot extend the chain

Revision ID: 0005_installation_keys
Revises: 0004_platform_security
Create Date: 2026-12-04 21:35:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_installation_keys'
down_revision = '0004_platform_security'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'installation_keys',
        sa.Column('purpose', sa.String(length=32), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('purpose'),
    )


def downgrade() -> None:
    op.drop_table('installation_keys')
