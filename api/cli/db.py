"""`handoff db`: which migrations are applied, and applying the pending ones."""

from __future__ import annotations

import typer

from api.cli.common import echo, settings

app = typer.Typer(help="The database: status and migrations.", no_args_is_help=True)


@app.command("status")
def db_status() -> None:
    """Show which migrations are applied and pending."""
    from store import db
    from store.migrate import migration_status

    url = db.database_url(settings())
    with db.connect(url, autocommit=True) as conn:
        st = migration_status(conn)
    echo(f"applied: {', '.join(map(str, st.applied)) or 'none'}")
    echo(f"pending: {', '.join(map(str, st.pending)) or 'none'}")
    if st.changed:
        echo(f"changed since applied (do not edit applied migrations): {', '.join(map(str, st.changed))}")


@app.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations (also done at every start)."""
    from store import db
    from store.migrate import migrate

    url = db.database_url(settings())
    with db.connect(url, autocommit=True) as conn:
        done = migrate(conn)
    echo(f"applied: {', '.join(map(str, done))}" if done else "up to date")
