"""family questionnaire: anonymous answers from families on an assessment

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-03 10:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'family_questionnaires',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('assessment_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('retention_months', sa.Integer(), nullable=False),
        sa.Column('illustrative', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('opened_at', sa.DateTime(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint('retention_months >= 1 AND retention_months <= 36', name=op.f('ck_family_questionnaires_retention_range')),
        sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_family_questionnaires_assessment_id_assessments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_family_questionnaires')),
        sa.UniqueConstraint('assessment_id', name=op.f('uq_family_questionnaires_assessment_id')),
        sa.UniqueConstraint('code', name=op.f('uq_family_questionnaires_code')),
    )
    op.create_table(
        'family_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('device_hash', sa.String(length=64), nullable=True),
        sa.Column('transcribed', sa.Boolean(), nullable=False),
        sa.Column('answered_on', sa.Date(), nullable=False),
        sa.Column('comment', sa.String(length=500), nullable=True),
        sa.Column('comment_hidden', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['questionnaire_id'], ['family_questionnaires.id'], name=op.f('fk_family_responses_questionnaire_id_family_questionnaires'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_family_responses')),
        sa.UniqueConstraint('questionnaire_id', 'device_hash', name=op.f('uq_family_responses_questionnaire_id_device_hash')),
    )
    with op.batch_alter_table('family_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_responses_questionnaire_id'), ['questionnaire_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_family_responses_answered_on'), ['answered_on'], unique=False)
    op.create_table(
        'family_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('question_key', sa.String(length=40), nullable=False),
        sa.Column('answer', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['response_id'], ['family_responses.id'], name=op.f('fk_family_answers_response_id_family_responses'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_family_answers')),
        sa.UniqueConstraint('response_id', 'question_key', name=op.f('uq_family_answers_response_id_question_key')),
    )
    with op.batch_alter_table('family_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_family_answers_response_id'), ['response_id'], unique=False)


def downgrade():
    with op.batch_alter_table('family_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_answers_response_id'))
    op.drop_table('family_answers')
    with op.batch_alter_table('family_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_family_responses_answered_on'))
        batch_op.drop_index(batch_op.f('ix_family_responses_questionnaire_id'))
    op.drop_table('family_responses')
    op.drop_table('family_questionnaires')
