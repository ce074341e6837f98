"""a version on each vote, so live screens notice votes without a shared counter

Each write of a vote (the first, and every change) adds one to its row's version, so the sum of
a round's versions is the number of vote writes committed in it. Live screens compare that sum
instead of a revision every vote had to bump on the workshop's row.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 22:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop_votes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('workshop_votes', schema=None) as batch_op:
        batch_op.drop_column('version')
