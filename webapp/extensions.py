"""Extensions, created unbound here and initialised in ``create_app()``."""

from __future__ import annotations

import time

from flask import Flask, request
from flask_limiter import Limiter
from flask_login import LoginManager
from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from webapp.csrf_check import SteadyCSRF


class Database:
    """The engine and a request-scoped ORM session, bound to one app.

    ``db.session`` is thread-local (waitress and gunicorn serve each request on
    one thread) and removed at the end of every request.
    """

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._factory = sessionmaker(expire_on_commit=False)
        self.session: scoped_session[Session] = scoped_session(self._factory)
        #: The app's field cipher, for work outside an app context (``Encrypted``).
        self.cipher = None

    def init_app(self, app: Flask) -> None:
        self.engine = make_engine(app.config["DATABASE_URL"])
        self._factory.configure(bind=self.engine)
        app.extensions["steady.db"] = self

        @app.teardown_appcontext
        def _remove_session(exc: BaseException | None) -> None:
            self.session.remove()

    def new_session(self) -> Session:
        """A session of its own, for work outside a request (CLI, threads)."""
        return self._factory()


def autocommitted(session: Session | scoped_session | None = None) -> bool:
    """Whether ``session`` (by default this request's) runs on an autocommit
    connection (webapp/security.py, ``ONE_STATEMENT_WRITES`` and
    ``AUTOCOMMIT_READS``)."""
    session = db.session() if session is None else session
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        return False
    return session.connection().get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def make_engine(url: str) -> Engine:
    """An engine with the settings Steady relies on for each backend."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    # hide_parameters: values people typed never reach a log through an error.
    engine = create_engine(url, hide_parameters=True)
    ping_when_idle(engine)
    return engine


#: A pooled connection unused for longer than this is tested before use.
PING_AFTER_IDLE_SECONDS = 10.0


def ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use only when it has sat idle.

    ``pool_pre_ping`` costs a round trip on every request; a connection in
    steady use was just shown to work, so only one that has waited longer
    than ``PING_AFTER_IDLE_SECONDS`` (a database restart, a dropped idle link) is tested.
    A dead one is replaced before the request sees it; one that dies between
    pings fails that request once and the pool is then renewed.
    """

    @event.listens_for(engine, "checkin")
    def _note_return(_dbapi_connection, record) -> None:
        record.info["steady.returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        returned = record.info.get("steady.returned_at")
        if returned is None or time.monotonic() - returned <= PING_AFTER_IDLE_SECONDS:
            return  # new, or in steady use
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means the link is gone
            raise exc.DisconnectionError("pooled connection failed its ping") from error


def client_address() -> str:
    """The caller's address, as ProxyFix left it in ``remote_addr``."""
    return request.remote_addr or "unknown"


db = Database()
login_manager = LoginManager()
csrf = SteadyCSRF()
limiter = Limiter(key_func=client_address)
