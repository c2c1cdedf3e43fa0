"""insurance: policies, buyer tags, notifications, declarations, claims, recoveries, stop supply

Revision ID: insurance_0001
Revises: 0001_foundation
Create Date: 2026-12-04 20:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'insurance_0001'
down_revision = '0001_foundation'
branch_labels = ('insurance',)
depends_on = None


def upgrade() -> None:

    op.create_table('insurance_buyer_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_code', sa.String(length=64), nullable=False),
    sa.Column('tag', sa.String(length=32), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_insurance_buyer_tags_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_buyer_tags')),
    sa.UniqueConstraint('company_id', 'customer_code', 'tag', name=op.f('uq_insurance_buyer_tags_company_id'))
    )
    with op.batch_alter_table('insurance_buyer_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_buyer_tags_company_id'), ['company_id'], unique=False)

    op.create_table('insurance_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_number', sa.String(length=64), nullable=False),
    sa.Column('customer_code', sa.String(length=64), nullable=False),
    sa.Column('cause', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('loss_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('indemnity_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('first_loss_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('paid_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('file', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_insurance_claims_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_claims'))
    )
    with op.batch_alter_table('insurance_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_claims_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_claims_customer_code'), ['customer_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_claims_policy_number'), ['policy_number'], unique=False)

    op.create_table('insurance_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_number', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('premium_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_insurance_declarations_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_declarations')),
    sa.UniqueConstraint('company_id', 'policy_number', 'kind', 'period_start', 'period_end', name=op.f('uq_insurance_declarations_company_id'))
    )
    with op.batch_alter_table('insurance_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_declarations_company_id'), ['company_id'], unique=False)

    op.create_table('insurance_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_number', sa.String(length=64), nullable=False),
    sa.Column('customer_code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('event_on', sa.Date(), nullable=True),
    sa.Column('notified_on', sa.Date(), nullable=True),
    sa.Column('amount_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reference', sa.String(length=128), nullable=True),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_insurance_notifications_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_notifications'))
    )
    with op.batch_alter_table('insurance_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_notifications_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_notifications_customer_code'), ['customer_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_notifications_policy_number'), ['policy_number'], unique=False)

    op.create_table('insurance_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_number', sa.String(length=64), nullable=False),
    sa.Column('insurer', sa.String(length=255), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('end_on', sa.Date(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_insurance_policies_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_policies')),
    sa.UniqueConstraint('company_id', 'policy_number', name=op.f('uq_insurance_policies_company_id'))
    )
    with op.batch_alter_table('insurance_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_policies_company_id'), ['company_id'], unique=False)

    op.create_table('insurance_stop_supply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_number', sa.String(length=64), nullable=False),
    sa.Column('customer_code', sa.String(length=64), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('lifted_on', sa.Date(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_insurance_stop_supply_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_stop_supply')),
    sa.UniqueConstraint('company_id', 'policy_number', 'customer_code', 'since', name=op.f('uq_insurance_stop_supply_company_id'))
    )
    with op.batch_alter_table('insurance_stop_supply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_stop_supply_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_stop_supply_customer_code'), ['customer_code'], unique=False)

    op.create_table('insurance_recoveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('insurer_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seller_minor', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reference', sa.String(length=128), nullable=True),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['insurance_claims.id'], name=op.f('fk_insurance_recoveries_claim_id_insurance_claims')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_insurance_recoveries_company_id_companies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_recoveries'))
    )
    with op.batch_alter_table('insurance_recoveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_recoveries_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insurance_recoveries_company_id'), ['company_id'], unique=False)

    # ### end Alembic commands ###


def downgrade() -> None:

    with op.batch_alter_table('insurance_recoveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_recoveries_company_id'))
        batch_op.drop_index(batch_op.f('ix_insurance_recoveries_claim_id'))

    op.drop_table('insurance_recoveries')
    with op.batch_alter_table('insurance_stop_supply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_stop_supply_customer_code'))
        batch_op.drop_index(batch_op.f('ix_insurance_stop_supply_company_id'))

    op.drop_table('insurance_stop_supply')
    with op.batch_alter_table('insurance_policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_policies_company_id'))

    op.drop_table('insurance_policies')
    with op.batch_alter_table('insurance_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_notifications_policy_number'))
        batch_op.drop_index(batch_op.f('ix_insurance_notifications_customer_code'))
        batch_op.drop_index(batch_op.f('ix_insurance_notifications_company_id'))

    op.drop_table('insurance_notifications')
    with op.batch_alter_table('insurance_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_declarations_company_id'))

    op.drop_table('insurance_declarations')
    with op.batch_alter_table('insurance_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_claims_policy_number'))
        batch_op.drop_index(batch_op.f('ix_insurance_claims_customer_code'))
        batch_op.drop_index(batch_op.f('ix_insurance_claims_company_id'))

    op.drop_table('insurance_claims')
    with op.batch_alter_table('insurance_buyer_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_buyer_tags_company_id'))

    op.drop_table('insurance_buyer_tags')
    # ### end Alembic commands ###
