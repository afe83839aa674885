"""Adapters: database tables, repositories, unit of work, migrations, Kafka handlers."""
