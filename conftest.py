"""Root conftest: the test-stack fixtures (Kafka, PostgreSQL, the services) for every test folder."""

pytest_plugins = ["medfund_deploy.pytest_plugin"]
