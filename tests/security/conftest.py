"""The four services on 28101-28104 (profile ``probe``) against the shared test infrastructure.

Their own ports, pid files, logs (``.state/probe/logs``), databases and topics, so security tests never
collide with other sessions' services nor with the other service sets of this session.
"""

from medfund_deploy.chaos import PROBE
from medfund_deploy.pytest_plugin import own_service_set_fixture

probe_services = own_service_set_fixture(PROBE, "probe_services")
