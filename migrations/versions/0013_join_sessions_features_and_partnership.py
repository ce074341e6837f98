"""join the three branches made side by side: sign-ins, feature kinds, partnership settings

Revision ID: 0013
Revises: 0010, 0011, 0012
Create Date: 2026-12-03 07:45:00

"""

revision = '0013'
down_revision = ('0010', '0011', '0012')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
