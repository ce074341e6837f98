"""join the two branches made side by side: workshop revotes and the family questionnaire

Revision ID: 0017
Revises: 0015, 0016
Create Date: 2026-12-03 11:00:00

"""

revision = '0017'
down_revision = ('0015', '0016')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
