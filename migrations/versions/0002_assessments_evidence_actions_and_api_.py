"""assessments, evidence, actions and API tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:44:30.045671

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('period_label', sa.String(length=60), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('governance_board', sa.String(length=200), nullable=True),
    sa.Column('governance_date', sa.Date(), nullable=True),
    sa.Column('governance_minute', sa.String(length=200), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_assessments_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assessments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['framework_id'], ['framework_versions.id'], name=op.f('fk_assessments_framework_id_framework_versions')),
    sa.ForeignKeyConstraint(['previous_id'], ['assessments.id'], name=op.f('fk_assessments_previous_id_assessments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_framework_id'), ['framework_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assessments_previous_id'), ['previous_id'], unique=False)

    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('strand_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_organisation_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_actions_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_actions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_organisation_id'], ['organisations.id'], name=op.f('fk_actions_owner_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['strand_id'], ['strands.id'], name=op.f('fk_actions_strand_id_strands')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_strand_id'), ['strand_id'], unique=False)

    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(length=60), nullable=True),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('period', sa.String(length=60), nullable=True),
    sa.Column('about_date', sa.Date(), nullable=True),
    sa.Column('source_type', sa.String(length=200), nullable=True),
    sa.Column('link', sa.String(length=2000), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_key', sa.String(length=64), nullable=True),
    sa.Column('file_type', sa.String(length=100), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('no_personal_data', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_evidence_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['carried_from_id'], ['evidence.id'], name=op.f('fk_evidence_carried_from_id_evidence'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evidence_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_evidence_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_evidence_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('file_key', name=op.f('uq_evidence_file_key'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_status'), ['status'], unique=False)

    op.create_table('history_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('from_value', sa.String(length=200), nullable=True),
    sa.Column('to_value', sa.String(length=200), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_history_entries_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_history_entries_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_history_entries'))
    )
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_history_entries_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_history_entries_occurred_at'), ['occurred_at'], unique=False)

    op.create_table('strand_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('strand_id', sa.Integer(), nullable=False),
    sa.Column('self_rating', sa.String(length=24), nullable=True),
    sa.Column('self_rationale', sa.Text(), nullable=True),
    sa.Column('self_rated_by_id', sa.Integer(), nullable=True),
    sa.Column('self_rated_at', sa.DateTime(), nullable=True),
    sa.Column('room_result', sa.JSON(), nullable=True),
    sa.Column('room_carried_at', sa.DateTime(), nullable=True),
    sa.Column('agreed_rating', sa.String(length=24), nullable=True),
    sa.Column('agreed_rationale', sa.Text(), nullable=True),
    sa.Column('agreed_by_id', sa.Integer(), nullable=True),
    sa.Column('agreed_at', sa.DateTime(), nullable=True),
    sa.Column('agreed_inputs', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['agreed_by_id'], ['users.id'], name=op.f('fk_strand_ratings_agreed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_strand_ratings_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['self_rated_by_id'], ['users.id'], name=op.f('fk_strand_ratings_self_rated_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['strand_id'], ['strands.id'], name=op.f('fk_strand_ratings_strand_id_strands')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_strand_ratings')),
    sa.UniqueConstraint('assessment_id', 'strand_id', name=op.f('uq_strand_ratings_assessment_id_strand_id'))
    )
    with op.batch_alter_table('strand_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_strand_ratings_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_strand_ratings_strand_id'), ['strand_id'], unique=False)

    op.create_table('element_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=False),
    sa.Column('self_rating', sa.String(length=24), nullable=True),
    sa.Column('self_rationale', sa.Text(), nullable=True),
    sa.Column('rated_by_id', sa.Integer(), nullable=True),
    sa.Column('rated_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_element_ratings_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['element_id'], ['elements.id'], name=op.f('fk_element_ratings_element_id_elements')),
    sa.ForeignKeyConstraint(['rated_by_id'], ['users.id'], name=op.f('fk_element_ratings_rated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_element_ratings')),
    sa.UniqueConstraint('assessment_id', 'element_id', name=op.f('uq_element_ratings_assessment_id_element_id'))
    )
    with op.batch_alter_table('element_ratings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_element_ratings_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_element_ratings_element_id'), ['element_id'], unique=False)

    op.create_table('evidence_features',
    sa.Column('evidence_id', sa.Integer(), nullable=False),
    sa.Column('feature_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['evidence_id'], ['evidence.id'], name=op.f('fk_evidence_features_evidence_id_evidence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feature_id'], ['features.id'], name=op.f('fk_evidence_features_feature_id_features'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('evidence_id', 'feature_id', name=op.f('pk_evidence_features'))
    )
    with op.batch_alter_table('evidence_features', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_features_feature_id'), ['feature_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evidence_features', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_features_feature_id'))

    op.drop_table('evidence_features')
    with op.batch_alter_table('element_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_element_ratings_element_id'))
        batch_op.drop_index(batch_op.f('ix_element_ratings_assessment_id'))

    op.drop_table('element_ratings')
    with op.batch_alter_table('strand_ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_strand_ratings_strand_id'))
        batch_op.drop_index(batch_op.f('ix_strand_ratings_assessment_id'))

    op.drop_table('strand_ratings')
    with op.batch_alter_table('history_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_history_entries_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_history_entries_assessment_id'))

    op.drop_table('history_entries')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_status'))
        batch_op.drop_index(batch_op.f('ix_evidence_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_assessment_id'))

    op.drop_table('evidence')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_strand_id'))
        batch_op.drop_index(batch_op.f('ix_actions_assessment_id'))

    op.drop_table('actions')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_previous_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_framework_id'))
        batch_op.drop_index(batch_op.f('ix_assessments_area_id'))

    op.drop_table('assessments')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
