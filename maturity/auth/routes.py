from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from maturity.auth import bp, sessions, tokens
from maturity.auth.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    LoginForm,
    RevokeTokenForm,
    SignOutEverywhereForm,
)
from maturity.extensions import db
from maturity.models import ApiToken, User
from maturity.models.base import utcnow
from maturity.ratelimit import change_password_limits, sign_in_limits


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.index")


@bp.route("/sign-in", methods=["GET", "POST"])
@sign_in_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if sessions.password_matches(user, form.password.data) and user.is_active:
            sessions.start(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            return redirect(_safe_next(request.args.get("next")))
        # One message for every failure, so the form does not reveal which accounts exist.
        form.email.errors.append("Enter a correct email address and password")
        g.sign_in_failed = True  # counts toward the sign-in limits
    return render_template("auth/login.html", form=form)


@bp.post("/sign-out")
def logout():
    sessions.end(current_user)
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.get("/profile")
@login_required
def profile():
    return _profile_page(ApiTokenForm())


def _profile_page(token_form: ApiTokenForm, new_token: str | None = None, password_form=None):
    password_form = password_form or ChangePasswordForm(current_user, formdata=None)
    return render_template(
        "auth/profile.html",
        # base.html shows the error summary of whichever form was sent
        form=password_form if password_form.errors else token_form,
        token_form=token_form,
        password_form=password_form,
        everywhere_form=SignOutEverywhereForm(),
        api_tokens=tokens.tokens_of(current_user),
        new_token=new_token,
    )


@bp.post("/profile/password")
@change_password_limits
@login_required
def change_password():
    form = ChangePasswordForm(current_user)
    if not form.validate_on_submit():
        return _profile_page(ApiTokenForm(formdata=None), password_form=form), 400
    current_user.set_password(form.new_password.data)
    ended = sessions.end_others(current_user)
    flash(_password_changed(ended), "success")
    return redirect(url_for("auth.profile"))


def _password_changed(ended: int) -> str:
    if ended:
        return f"Password changed. You have been signed out on {ended} other device{'s' if ended != 1 else ''}."
    return "Password changed."


@bp.post("/profile/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    if SignOutEverywhereForm().validate_on_submit():
        ended = sessions.end_others(current_user)
        flash(f"Signed out on {ended} other device{'s' if ended != 1 else ''}. You are still signed in here.", "success")
    return redirect(url_for("auth.profile"))


@bp.post("/profile/api-tokens")
@login_required
def create_api_token():
    form = ApiTokenForm()
    if form.validate_on_submit():
        _token, value = tokens.create_token(current_user, form.name.data)
        # Shown on this response only: the database keeps just its hash.
        return _profile_page(ApiTokenForm(formdata=None), new_token=value)
    return _profile_page(form)


@bp.post("/profile/api-tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if RevokeTokenForm().validate_on_submit():
        tokens.revoke_token(token)
        flash(f"Token ‘{token.name}’ revoked. Anything using it can no longer read the API.", "success")
    return redirect(url_for("auth.profile"))
