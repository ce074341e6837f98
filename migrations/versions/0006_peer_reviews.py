"""peer reviews: reviews, their reviewers and per-strand peer ratings and challenges

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-23 18:49:27.844039

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('peer_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('reviewing_area_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('request_note', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_peer_reviews_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_peer_reviews_closed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_peer_reviews_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewing_area_id'], ['areas.id'], name=op.f('fk_peer_reviews_reviewing_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_peer_reviews_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_reviews'))
    )
    with op.batch_alter_table('peer_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_reviews_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_reviews_reviewing_area_id'), ['reviewing_area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_reviews_status'), ['status'], unique=False)

    op.create_table('peer_review_reviewers',
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['review_id'], ['peer_reviews.id'], name=op.f('fk_peer_review_reviewers_review_id_peer_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_peer_review_reviewers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('review_id', 'user_id', name=op.f('pk_peer_review_reviewers'))
    )
    with op.batch_alter_table('peer_review_reviewers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_review_reviewers_user_id'), ['user_id'], unique=False)

    op.create_table('peer_strand_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('strand_id', sa.Integer(), nullable=False),
    sa.Column('peer_rating', sa.String(length=24), nullable=True),
    sa.Column('position', sa.String(length=20), nullable=True),
    sa.Column('strengths', sa.Text(), nullable=True),
    sa.Column('development', sa.Text(), nullable=True),
    sa.Column('questions', sa.Text(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('responded_by_id', sa.Integer(), nullable=True),
    sa.Column('responded_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['responded_by_id'], ['users.id'], name=op.f('fk_peer_strand_reviews_responded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['peer_reviews.id'], name=op.f('fk_peer_strand_reviews_review_id_peer_reviews'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['strand_id'], ['strands.id'], name=op.f('fk_peer_strand_reviews_strand_id_strands')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_peer_strand_reviews_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_peer_strand_reviews')),
    sa.UniqueConstraint('review_id', 'strand_id', name=op.f('uq_peer_strand_reviews_review_id_strand_id'))
    )
    with op.batch_alter_table('peer_strand_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_peer_strand_reviews_review_id'), ['review_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_peer_strand_reviews_strand_id'), ['strand_id'], unique=False)



def downgrade():
    with op.batch_alter_table('peer_strand_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_strand_reviews_strand_id'))
        batch_op.drop_index(batch_op.f('ix_peer_strand_reviews_review_id'))

    op.drop_table('peer_strand_reviews')
    with op.batch_alter_table('peer_review_reviewers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_review_reviewers_user_id'))

    op.drop_table('peer_review_reviewers')
    with op.batch_alter_table('peer_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_peer_reviews_status'))
        batch_op.drop_index(batch_op.f('ix_peer_reviews_reviewing_area_id'))
        batch_op.drop_index(batch_op.f('ix_peer_reviews_assessment_id'))

    op.drop_table('peer_reviews')
