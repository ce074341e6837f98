"""an area's own words about its partnership and its core partner types; a note on demo
assessments saying what in them is illustrative

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-03 07:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('core_partner_types', sa.JSON(), nullable=True))
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('illustrative_note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('illustrative_note')
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_column('core_partner_types')
        batch_op.drop_column('about')
