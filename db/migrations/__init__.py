"""Alembic migrations; a package so that the import contracts (pyproject.toml) check them too."""
