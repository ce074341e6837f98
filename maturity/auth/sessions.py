"""Sign-ins kept on the server, so that signing out really ends a session.

Flask-Login keeps `User.get_id()` — the user's id and the token of one `UserSession` row — in
the signed session cookie and in the remember cookie. Every request looks the token up
(`load_user`); deleting the row ends that session and its remember cookie at once, wherever a
copy of either cookie has gone. Signing out deletes this device's row; "sign out everywhere",
a password change and deactivation delete the others too.
"""

from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user, user_loaded_from_cookie
from sqlalchemy import and_, delete, event, inspect, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from maturity.extensions import db
from maturity.models import User, UserSession
from maturity.models.base import utcnow

#: A sign-in without "keep me signed in" ends when the browser closes, or after this long.
SESSION_LIFETIME = timedelta(hours=12)

_dummy_hash: str | None = None


def password_matches(user: User | None, password: str) -> bool:
    """Check a password; with no such user, spend the same time checking against a dummy hash.

    Either way the answer takes as long, so sign-in timing does not tell which emails have
    accounts.
    """
    global _dummy_hash
    if user is None:
        if _dummy_hash is None:
            _dummy_hash = generate_password_hash("no account has this password")
        check_password_hash(_dummy_hash, password)
        return False
    return user.check_password(password)


def start(user: User, remember: bool = False) -> UserSession:
    """Sign the user in on this device: a new server-side sign-in, named in the cookies."""
    _forget_expired(user)
    sign_in = UserSession(user_id=user.id, remembered=bool(remember))
    db.session.add(sign_in)
    db.session.flush()
    user.session_token = sign_in.token
    login_user(user, remember=remember, duration=current_app.config["REMEMBER_COOKIE_DURATION"])
    return sign_in


def _forget_expired(user: User) -> None:
    """Sign-ins of this user that have run out are deleted, so the table does not grow."""
    now = utcnow()
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            or_(
                UserSession.created_at < now - current_app.config["REMEMBER_COOKIE_DURATION"],
                and_(UserSession.remembered.is_(False), UserSession.created_at < now - SESSION_LIFETIME),
            ),
        )
    )


def end(user: User) -> None:
    """Sign out on this device: its sign-in is deleted, so copies of its cookies stop working."""
    if user.is_authenticated and user.session_token:
        db.session.execute(delete(UserSession).where(UserSession.token == user.session_token))
    logout_user()


def end_others(user: User, keep_current: bool = True) -> int:
    """End every sign-in of this user (but this device's, when asked); returns how many."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_current and user.session_token:
        statement = statement.where(UserSession.token != user.session_token)
    return db.session.execute(statement).rowcount or 0


def load_user(user_id: str) -> User | None:
    """The user of a live sign-in named by `User.get_id()`, or None (signed out)."""
    user_part, _, token = user_id.partition(":")
    if not user_part.isdigit() or not token or len(token) > 64 or len(user_part) > 10:
        return None
    found = db.session.execute(
        select(User, UserSession.created_at, UserSession.remembered)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token == token, User.id == int(user_part))
    ).first()
    if found is None:
        return None
    user, created_at, remembered = found
    lifetime = current_app.config["REMEMBER_COOKIE_DURATION"] if remembered else SESSION_LIFETIME
    if not user.is_active or utcnow() - created_at > lifetime:
        return None
    user.session_token = token
    return user


@event.listens_for(Session, "before_flush")
def _deactivated_accounts_are_signed_out(db_session, flush_context, instances) -> None:
    """However an account comes to be deactivated, its sign-ins go with the same flush, so
    making it active again later does not bring its old sessions back."""
    for user in [obj for obj in db_session.dirty if isinstance(obj, User)]:
        history = inspect(user).attrs.is_active_account.history
        if history.added and not history.added[0] and user.id is not None:
            for sign_in in db_session.scalars(select(UserSession).where(UserSession.user_id == user.id)):
                db_session.delete(sign_in)


def _rotate_remembered(app, user: User) -> None:
    """A remember cookie that signed someone in is replaced by a new one, with a new token.

    A stolen copy of the old cookie then stops working as soon as its owner comes back.
    """
    old = user.session_token
    sign_in = UserSession(user_id=user.id, remembered=True)
    db.session.add(sign_in)
    if old:
        db.session.execute(delete(UserSession).where(UserSession.token == old))
    db.session.commit()
    user.session_token = sign_in.token
    session["_user_id"] = user.get_id()
    session["_remember"] = "set"
    session["_remember_seconds"] = current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds()


def register(login_manager) -> None:
    login_manager.user_loader(load_user)
    user_loaded_from_cookie.connect(_rotate_remembered)
