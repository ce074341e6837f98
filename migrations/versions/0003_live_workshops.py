"""live workshops: rounds, participants, votes and manual tallies

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('workshops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('offer_dont_know', sa.Boolean(), nullable=False),
    sa.Column('allow_changes', sa.Boolean(), nullable=False),
    sa.Column('ask_org_type', sa.Boolean(), nullable=False),
    sa.Column('results_visible', sa.Boolean(), nullable=False),
    sa.Column('join_code', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('current_round_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_workshops_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_workshops_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshops')),
    sa.UniqueConstraint('join_code', name=op.f('uq_workshops_join_code'))
    )
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshops_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('workshop_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('org_type', sa.String(length=30), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_participants_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_participants')),
    sa.UniqueConstraint('token', name=op.f('uq_workshop_participants_token'))
    )
    with op.batch_alter_table('workshop_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_participants_workshop_id'), ['workshop_id'], unique=False)

    op.create_table('workshop_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('strand_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('revealed', sa.Boolean(), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['element_id'], ['elements.id'], name=op.f('fk_workshop_rounds_element_id_elements')),
    sa.ForeignKeyConstraint(['strand_id'], ['strands.id'], name=op.f('fk_workshop_rounds_strand_id_strands')),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_workshop_rounds_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_rounds')),
    sa.UniqueConstraint('workshop_id', 'position', name=op.f('uq_workshop_rounds_workshop_id_position'))
    )
    with op.batch_alter_table('workshop_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_rounds_element_id'), ['element_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_workshop_rounds_strand_id'), ['strand_id'], unique=False)

    op.create_table('workshop_manual_tallies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('count >= 1', name=op.f('ck_workshop_manual_tallies_count_positive')),
    sa.CheckConstraint('stage IS NULL OR (stage >= 1 AND stage <= 4)', name=op.f('ck_workshop_manual_tallies_stage_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_workshop_manual_tallies_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['workshop_rounds.id'], name=op.f('fk_workshop_manual_tallies_round_id_workshop_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_manual_tallies'))
    )
    with op.batch_alter_table('workshop_manual_tallies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_manual_tallies_round_id'), ['round_id'], unique=False)

    op.create_table('workshop_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('stage IS NULL OR (stage >= 1 AND stage <= 4)', name=op.f('ck_workshop_votes_stage_range')),
    sa.ForeignKeyConstraint(['participant_id'], ['workshop_participants.id'], name=op.f('fk_workshop_votes_participant_id_workshop_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['workshop_rounds.id'], name=op.f('fk_workshop_votes_round_id_workshop_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workshop_votes')),
    sa.UniqueConstraint('round_id', 'participant_id', name=op.f('uq_workshop_votes_round_id_participant_id'))
    )
    with op.batch_alter_table('workshop_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_votes_participant_id'), ['participant_id'], unique=False)


def downgrade():
    with op.batch_alter_table('workshop_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_votes_participant_id'))

    op.drop_table('workshop_votes')
    with op.batch_alter_table('workshop_manual_tallies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_manual_tallies_round_id'))

    op.drop_table('workshop_manual_tallies')
    with op.batch_alter_table('workshop_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_rounds_strand_id'))
        batch_op.drop_index(batch_op.f('ix_workshop_rounds_element_id'))

    op.drop_table('workshop_rounds')
    with op.batch_alter_table('workshop_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_participants_workshop_id'))

    op.drop_table('workshop_participants')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshops_assessment_id'))

    op.drop_table('workshops')
