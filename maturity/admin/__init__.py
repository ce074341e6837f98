from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def national_team_only():
    if not current_user.is_admin:
        abort(403, "Only the national team can use the admin pages.")


from maturity.admin import routes  # noqa: E402,F401
