"""Durable state: SQLAlchemy models and Alembic migrations over SQLite (default) or PostgreSQL."""
