"""each feature is an achievement or a limitation (the evidence rule); Annex 1's row labels on
strands and elements

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-03 07:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('features', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=20), server_default='achievement', nullable=False)
        )
    with op.batch_alter_table('strands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=120), nullable=True))
    with op.batch_alter_table('elements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table('elements', schema=None) as batch_op:
        batch_op.drop_column('label')
    with op.batch_alter_table('strands', schema=None) as batch_op:
        batch_op.drop_column('label')
    with op.batch_alter_table('features', schema=None) as batch_op:
        batch_op.drop_column('kind')
