from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from maturity.api import tokens
from maturity.api.forms import ApiTokenForm, RevokeTokenForm
from maturity.auth import bp
from maturity.auth.forms import LoginForm
from maturity.extensions import db, limiter
from maturity.models import ApiToken, User
from maturity.models.base import utcnow


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.index")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user is None or not user.check_password(form.password.data) or not user.is_active:
            # One message for every failure, so the form does not reveal which accounts exist.
            form.email.errors.append("Enter a correct email address and password")
        else:
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.post("/sign-out")
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.get("/profile")
@login_required
def profile():
    return _profile_page(ApiTokenForm())


def _profile_page(token_form: ApiTokenForm, new_token: str | None = None):
    return render_template(
        "auth/profile.html",
        form=token_form,  # base.html shows its error summary
        token_form=token_form,
        api_tokens=tokens.tokens_of(current_user),
        new_token=new_token,
    )


@bp.post("/profile/api-tokens")
@login_required
def create_api_token():
    form = ApiTokenForm()
    if form.validate_on_submit():
        _token, value = tokens.create_token(current_user, form.name.data)
        db.session.commit()
        # Shown on this response only: the database keeps just its hash.
        return _profile_page(ApiTokenForm(formdata=None), new_token=value)
    return _profile_page(form)


# Ids stop at the largest a database integer holds: a bigger one answers 404, not a database error.
@bp.post("/profile/api-tokens/<int(max=2147483647):token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if RevokeTokenForm().validate_on_submit():
        tokens.revoke_token(token)
        db.session.commit()
        flash(f"Token ‘{token.name}’ revoked. Anything using it can no longer read the API.", "success")
    return redirect(url_for("auth.profile"))
