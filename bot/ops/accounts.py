"""Console accounts (who may sign in, with which role) and their signed-in sessions.

Roles, weakest first (:data:`ROLES`): ``viewer`` reads the reports and the lists,
``editor`` also changes lists, aliases and users' units, ``admin`` also manages
accounts. Every change to an account is written to the audit trail
(:mod:`bot.ops.changes`) in the same transaction. Functions return frozen
dataclasses, never ORM rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.ops import changes, db
from bot.ops.models import AdminAccount, AdminSession
from bot.ops.passwords import DUMMY_HASH, check_strength, hash_password, needs_rehash, verify_password
from bot.ops.timestamps import utcnow

ROLES = ("viewer", "editor", "admin")
ROLE_NAMES = {"viewer": "查看者", "editor": "编辑者", "admin": "管理员"}
NAME_PATTERN = re.compile(r"[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}")


class AccountError(ValueError):
    """An account operation is refused; ``str(exc)`` is for the user."""


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    active: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None

    def may(self, role: str) -> bool:
        """True when this account's role is ``role`` or stronger."""
        return self.active and rank(self.role) >= rank(role)


@dataclass(frozen=True)
class SignedIn:
    account: Account
    csrf_token: str
    expires_at: dt.datetime


def rank(role: str) -> int:
    """0 viewer, 1 editor, 2 admin; an unknown role ranks below every known one."""
    return ROLES.index(role) if role in ROLES else -1


def _account(row: AdminAccount) -> Account:
    return Account(int(row.id), row.name, row.role, bool(row.active), row.created_at, row.last_login_at)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"角色应为 {' / '.join(ROLES)} 之一。")


def _row(session: Session, name: str) -> AdminAccount:
    row = session.execute(select(AdminAccount).where(AdminAccount.name == name)).scalars().first()
    if row is None:
        raise AccountError(f"没有账号“{name}”。")
    return row


def create(
    name: str, role: str, password: str, actor: str, address: str | None = None, url: str | None = None
) -> Account:
    """Raises AccountError (bad name or role, name taken), WeakPassword, OpsUnavailable."""
    name = name.strip()
    if not NAME_PATTERN.fullmatch(name):
        raise AccountError("账号名应为 2–32 个字母、数字、汉字或 _ . -。")
    _check_role(role)
    check_strength(password, name)
    now = utcnow()
    with db.session_scope(url) as session:
        if session.execute(select(AdminAccount.id).where(AdminAccount.name == name)).first():
            raise AccountError(f"账号“{name}”已存在。")
        row = AdminAccount(
            name=name,
            role=role,
            password_hash=hash_password(password),
            active=True,
            created_at=now,
            password_changed_at=now,
        )
        session.add(row)
        changes.add(session, actor, "account.create", name, None, {"role": role, "active": True}, address)
        session.flush()
        return _account(row)


def update(
    name: str,
    actor: str,
    *,
    role: str | None = None,
    active: bool | None = None,
    address: str | None = None,
    url: str | None = None,
) -> Account:
    """Change an account's role or switch it off (its sessions end); the last active admin stays.

    Raises:
        AccountError: unknown account or role, or the change would leave no active admin.
    """
    if role is not None:
        _check_role(role)
    with db.session_scope(url) as session:
        row = _row(session, name)
        before = {"role": row.role, "active": bool(row.active)}
        after = {"role": role or row.role, "active": before["active"] if active is None else active}
        if after == before:
            return _account(row)
        if before["role"] == "admin" and before["active"] and (after["role"] != "admin" or not after["active"]):
            admins = select(AdminAccount.id).where(AdminAccount.role == "admin", AdminAccount.active.is_(True))
            if len(session.execute(admins).all()) <= 1:
                raise AccountError("至少要保留一个启用的管理员账号。")
        row.role, row.active = after["role"], after["active"]
        if not row.active:
            session.execute(delete(AdminSession).where(AdminSession.account_id == row.id))
        changes.add(session, actor, "account.update", name, before, after, address)
        return _account(row)


def set_password(name: str, password: str, actor: str, address: str | None = None, url: str | None = None) -> None:
    """A new password; every session of the account ends. Raises AccountError, WeakPassword."""
    check_strength(password, name)
    with db.session_scope(url) as session:
        row = _row(session, name)
        row.password_hash, row.password_changed_at = hash_password(password), utcnow()
        session.execute(delete(AdminSession).where(AdminSession.account_id == row.id))
        changes.add(session, actor, "account.password", name, None, None, address)


def all_accounts(url: str | None = None) -> list[Account]:
    with db.session_scope(url) as session:
        return [_account(r) for r in session.execute(select(AdminAccount).order_by(AdminAccount.name)).scalars()]


def authenticate(name: str, password: str, url: str | None = None) -> Account | None:
    """The active account when name and password match, else None (taking as long either way)."""
    with db.session_scope(url) as session:
        row = session.execute(select(AdminAccount).where(AdminAccount.name == name.strip())).scalars().first()
        if row is None or not row.active:
            verify_password(DUMMY_HASH, password)
            return None
        if not verify_password(row.password_hash, password):
            return None
        if needs_rehash(row.password_hash):
            row.password_hash = hash_password(password)
        return _account(row)


# ---- sessions -------------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def sign_in(
    account: Account, idle: dt.timedelta, lifetime: dt.timedelta, address: str | None = None, url: str | None = None
) -> tuple[str, SignedIn]:
    """Open a session; returns the cookie token (stored only as its hash) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = utcnow()
    with db.session_scope(url) as session:
        session.execute(delete(AdminSession).where(AdminSession.expires_at < now))
        session.add(
            AdminSession(
                token_hash=_digest(token),
                account_id=account.id,
                csrf_token=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=now + lifetime,
                address=address,
            )
        )
        row = session.get(AdminAccount, account.id)
        if row is not None:
            row.last_login_at = now
        changes.add(session, account.name, "session.sign_in", account.name, None, None, address)
    return token, SignedIn(account, csrf, min(now + idle, now + lifetime))


def session_of(token: str, idle: dt.timedelta, url: str | None = None) -> SignedIn | None:
    """The live session of a cookie token (its idle clock restarts), else None."""
    if not token:
        return None
    now = utcnow()
    with db.session_scope(url) as session:
        row = session.get(AdminSession, _digest(token))
        if row is None:
            return None
        account = session.get(AdminAccount, row.account_id)
        if account is None or not account.active or row.expires_at <= now or row.last_seen_at + idle <= now:
            session.delete(row)
            return None
        if now - row.last_seen_at > dt.timedelta(seconds=30):  # spare the database a write per request
            row.last_seen_at = now
        return SignedIn(_account(account), row.csrf_token, min(row.last_seen_at + idle, row.expires_at))


def sign_out(token: str, url: str | None = None) -> None:
    with db.session_scope(url) as session:
        session.execute(delete(AdminSession).where(AdminSession.token_hash == _digest(token)))
