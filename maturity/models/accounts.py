import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from maturity.core.vocabulary import ROLES
from maturity.extensions import db
from maturity.models.areas import Area, Organisation
from maturity.models.base import utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    #: the national team: sees every area, loads frameworks, brokers peer reviews
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    #: the sign-in this request belongs to (set by the user loader; not a column)
    session_token = None  # a plain attribute, str when set

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session and remember cookie: user and sign-in.

        Deleting the sign-in's row ends that session and its remember cookie on the server.
        """
        return f"{self.id}:{self.session_token or ''}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    def role_in(self, area_id: int) -> str | None:
        """This user's role in an area, or None."""
        for membership in self.memberships:
            if membership.area_id == area_id:
                return membership.role
        return None

    @property
    def area_ids(self) -> set[int]:
        return {m.area_id for m in self.memberships}

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Membership(db.Model):
    """A user's role in one area's partnership."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"), index=True)
    #: one of core.vocabulary.ROLES
    role: Mapped[str] = mapped_column(String(20))
    #: the partner organisation the person works for, when known
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    area: Mapped[Area] = relationship(lazy="joined")
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


class UserSession(db.Model):
    """One sign-in on one device; the session and remember cookies name it by its token."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: random; what the session and remember cookies carry after the user's id
    token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_urlsafe(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: True when signed in with "keep me signed in"
    remembered: Mapped[bool] = mapped_column(default=False)
