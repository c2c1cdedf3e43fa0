"""platform: audit entries waiting to join the hash chain (written with their decision, sealed after)

Revision ID: 0002_audit_pending
Revises: 0001_foundation
Create Date: 2026-11-28 19:20:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0002_audit_pending'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_pending',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.String(length=128), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('entity', sa.String(length=64), nullable=False),
        sa.Column('entity_id', sa.String(length=128), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('audit_pending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_pending_company_id'), ['company_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_pending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_pending_company_id'))
    op.drop_table('audit_pending')
