"""workshop rounds: when a round's result was first shown, so it never takes votes again

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 17:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revealed_at', sa.DateTime(), nullable=True))
    # Rounds on screen now were shown when voting closed (showing closes voting).
    op.execute(
        "UPDATE workshop_rounds SET revealed_at = COALESCE(closed_at, opened_at, CURRENT_TIMESTAMP) "
        "WHERE revealed"
    )


def downgrade():
    with op.batch_alter_table('workshop_rounds', schema=None) as batch_op:
        batch_op.drop_column('revealed_at')
