"""Field-key rotation: put a new key first, then re-encrypt every value.

Which columns hold encrypted text is read from the models themselves (every
``Encrypted`` attribute of every mapped class), so a feature that adds one is
rotated without being listed here.

Re-encryption works in batches, each its own transaction, and only touches
values whose key id is not the current one. That makes it:

* **idempotent** — a second run finds nothing to do;
* **resumable** — stopped half-way (crash, Ctrl+C, lost connection), the
  next run carries on with what is left, and every value is readable at every
  moment, since the cipher keeps the old keys for reading;
* **safe beside a running app** — each value is replaced only if it is still
  what was read (``WHERE id = … AND column = old``), so a person's edit made
  in between is never overwritten; it was written with the current key anyway.

Only the encrypted column changes: ``updated_at`` and the like keep their
values, so sync and conflict checks do not see a rotation as an edit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import Table, func, select, update
from sqlalchemy.engine import Engine

from webapp.services.field_crypto import FieldCipher, FieldContext, FieldDecryptError


class RotationError(RuntimeError):
    """A stored value cannot be read with any configured key."""


@dataclass(frozen=True)
class EncryptedColumn:
    """One ``Encrypted`` attribute: where its ciphertext lives and what
    associated data it was sealed with."""

    table: Table
    attribute: str  # the name in the associated data (the plaintext attribute)
    column: str  # the column holding the ciphertext

    @property
    def label(self) -> str:
        return f"{self.table.name}.{self.column}"


def encrypted_columns(base=None) -> list[EncryptedColumn]:
    """Every encrypted column of every model, found through the mappers."""
    from webapp.models import Base, Encrypted

    base = base or Base
    found: dict[tuple[str, str], EncryptedColumn] = {}
    for mapper in base.registry.mappers:
        cls = mapper.class_
        table = mapper.local_table
        for klass in cls.__mro__:
            for value in vars(klass).values():
                if isinstance(value, Encrypted):
                    if value.column not in table.c:
                        raise RuntimeError(f"{cls.__name__}.{value.name} names a missing column {value.column}")
                    found[(table.name, value.column)] = EncryptedColumn(table, value.name, value.column)
    return sorted(found.values(), key=lambda c: c.label)


def _primary_key(table: Table):
    (pk,) = table.primary_key.columns
    return pk


def key_usage(engine: Engine, columns: list[EncryptedColumn] | None = None) -> Counter:
    """How many stored values each key id seals, over every encrypted column."""
    usage: Counter = Counter()
    for col in columns or encrypted_columns():
        column = col.table.c[col.column]
        kid = (
            func.substr(column, 1, func.instr(column, ".") - 1)
            if engine.dialect.name == "sqlite"
            else func.split_part(column, ".", 1)
        )
        with engine.connect() as conn:
            for key_id, count in conn.execute(select(kid, func.count()).where(column.is_not(None)).group_by(kid)):
                usage[key_id] += count
    return usage


@dataclass
class RotationReport:
    reencrypted: Counter  # label → values re-encrypted this run
    skipped_changed: int = 0  # values edited while we worked (already under the current key)

    @property
    def total(self) -> int:
        return sum(self.reencrypted.values())


def _stale_batches(engine: Engine, col: EncryptedColumn, current_kid: str, batch_size: int) -> Iterator[list]:
    table = col.table
    pk = _primary_key(table)
    column = table.c[col.column]
    last = None
    while True:
        query = (
            select(pk, table.c.user_id, column)
            .where(column.is_not(None), ~column.startswith(current_kid + ".", autoescape=True))
            .order_by(pk)
            .limit(batch_size)
        )
        if last is not None:
            query = query.where(pk > last)
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def reencrypt(
    engine: Engine,
    cipher: FieldCipher,
    *,
    batch_size: int = 500,
    columns: list[EncryptedColumn] | None = None,
    progress: Callable[[str, int], None] | None = None,
) -> RotationReport:
    """Re-encrypt every value not under ``cipher``'s current key.

    ``progress(label, n)`` is called after each committed batch.
    """
    report = RotationReport(Counter())
    for col in columns or encrypted_columns():
        table = col.table
        pk = _primary_key(table)
        column = table.c[col.column]
        # Keep columns with an onupdate (updated_at) as they are: a rotation is not an edit.
        untouched = {c.name: c for c in table.c if c.onupdate is not None}
        for rows in _stale_batches(engine, col, cipher.current_kid, batch_size):
            done = 0
            with engine.begin() as conn:
                for row_id, owner_id, stored in rows:
                    where = FieldContext(table.name, col.attribute, owner_id)
                    try:
                        plain = cipher.decrypt(stored, where)
                    except FieldDecryptError as exc:
                        kid = stored.partition(".")[0]
                        raise RotationError(
                            f"{col.label} row {row_id} (key id {kid!r}) cannot be decrypted with the "
                            f"configured keys: {exc}. The run stopped there (values already done stay done); add the missing key and run again."
                        ) from exc
                    fresh = cipher.encrypt(plain, where)
                    result = conn.execute(
                        update(table).where(pk == row_id, column == stored).values({col.column: fresh, **untouched})
                    )
                    if result.rowcount == 1:
                        done += 1
                    else:
                        report.skipped_changed += 1
            report.reencrypted[col.label] += done
            if progress is not None:
                progress(col.label, done)
    return report
