"""surveys: partners rate strands from any device before or instead of a workshop

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 17:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'surveys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=True),
        sa.Column('closes_on', sa.Date(), nullable=True),
        sa.Column('ask_org_type', sa.Boolean(), nullable=False),
        sa.Column('ask_grade', sa.Boolean(), nullable=False),
        sa.Column('ask_role', sa.Boolean(), nullable=False),
        sa.Column('ask_why', sa.Boolean(), nullable=False),
        sa.Column('breakdown', sa.String(length=10), nullable=False),
        sa.Column('illustrative', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("breakdown IN ('org_type', 'grade', 'role')", name=op.f('ck_surveys_breakdown_known')),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_surveys_assessment_id_assessments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_surveys_created_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
        sa.UniqueConstraint('code', name=op.f('uq_surveys_code')),
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveys_assessment_id'), ['assessment_id'], unique=False)
    op.create_table(
        'survey_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('strand_id', sa.Integer(), nullable=False),
        sa.Column('element_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_items_survey_id_surveys'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['strand_id'], ['strands.id'], name=op.f('fk_survey_items_strand_id_strands')),
        sa.ForeignKeyConstraint(['element_id'], ['elements.id'], name=op.f('fk_survey_items_element_id_elements')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_items')),
        sa.UniqueConstraint('survey_id', 'strand_id', 'element_id', name=op.f('uq_survey_items_survey_id_strand_id_element_id')),
    )
    with op.batch_alter_table('survey_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_items_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_items_strand_id'), ['strand_id'], unique=False)
    op.create_table(
        'survey_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('device_hash', sa.String(length=64), nullable=True),
        sa.Column('link_hash', sa.String(length=64), nullable=True),
        sa.Column('org_type', sa.String(length=30), nullable=True),
        sa.Column('grade', sa.String(length=30), nullable=True),
        sa.Column('role', sa.String(length=30), nullable=True),
        sa.Column('started_on', sa.Date(), nullable=True),
        sa.Column('submitted', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_responses_survey_id_surveys'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
        sa.UniqueConstraint('survey_id', 'device_hash', name=op.f('uq_survey_responses_survey_id_device_hash')),
        sa.UniqueConstraint('survey_id', 'link_hash', name=op.f('uq_survey_responses_survey_id_link_hash')),
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_survey_id'), ['survey_id'], unique=False)
    op.create_table(
        'survey_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('reason_hidden', sa.Boolean(), nullable=False),
        sa.CheckConstraint('stage IS NULL OR (stage >= 1 AND stage <= 4)', name=op.f('ck_survey_answers_stage_range')),
        sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_answers_response_id_survey_responses'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['item_id'], ['survey_items.id'], name=op.f('fk_survey_answers_item_id_survey_items'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
        sa.UniqueConstraint('response_id', 'item_id', name=op.f('uq_survey_answers_response_id_item_id')),
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answers_response_id'), ['response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_answers_item_id'), ['item_id'], unique=False)
    with op.batch_alter_table('strand_ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('survey_result', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('survey_carried_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('strand_ratings', schema=None) as batch_op:
        batch_op.drop_column('survey_carried_at')
        batch_op.drop_column('survey_result')
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answers_item_id'))
        batch_op.drop_index(batch_op.f('ix_survey_answers_response_id'))
    op.drop_table('survey_answers')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_survey_id'))
    op.drop_table('survey_responses')
    with op.batch_alter_table('survey_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_items_strand_id'))
        batch_op.drop_index(batch_op.f('ix_survey_items_survey_id'))
    op.drop_table('survey_items')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_surveys_assessment_id'))
    op.drop_table('surveys')
