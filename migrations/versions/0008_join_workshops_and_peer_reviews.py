"""join the workshops and peer review branches

Revision ID: 0008
Revises: 0003, 0006
Create Date: 2026-11-23 20:17:41.365705

"""


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = ('0003', '0006')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
