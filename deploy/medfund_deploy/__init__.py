"""Local stack launcher: Kafka from Maven, PostgreSQL via initdb, the services under uvicorn"""
