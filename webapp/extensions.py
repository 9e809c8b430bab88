"""Extensions, created unbound here and initialised in ``create_app()``."""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker


class Database:
    """The engine and a request-scoped ORM session, bound to one app.

    ``db.session`` is thread-local (waitress and gunicorn serve each request on
    one thread) and removed at the end of every request.
    """

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._factory = sessionmaker(expire_on_commit=False)
        self.session: scoped_session[Session] = scoped_session(self._factory)

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


def make_engine(url: str) -> Engine:
    """An engine with the settings Steady relies on for each backend."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    # hide_parameters: values people typed never reach a log through an error.
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def client_address() -> str:
    """The caller's address, as ProxyFix left it in ``remote_addr``."""
    return request.remote_addr or "unknown"


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address)
