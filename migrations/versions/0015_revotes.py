"""revotes: a round may vote on a strand again after discussion

A revote is a new round of the same strand that points at the round it votes on again, so the
earlier round keeps the result the room saw and the two can be compared (the shift).

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-03 09:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshop_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revote_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_workshop_rounds_revote_of_id'), ['revote_of_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_workshop_rounds_revote_of_id_workshop_rounds'),
            'workshop_rounds', ['revote_of_id'], ['id'], ondelete='CASCADE',
        )


def downgrade():
    with op.batch_alter_table('workshop_rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_workshop_rounds_revote_of_id_workshop_rounds'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_workshop_rounds_revote_of_id'))
        batch_op.drop_column('revote_of_id')
