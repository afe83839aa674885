"""The four services on 28201-28204 (profile ``fuzz``) against the shared test infrastructure.

Their own ports, pid files, logs (``.state/fuzz/logs``), databases and topics, so fuzz tests never
collide with other sessions' services nor with the other service sets of this session.
"""

from medfund_deploy.chaos import FUZZ
from medfund_deploy.pytest_plugin import own_service_set_fixture

fuzz_services = own_service_set_fixture(FUZZ, "fuzz_services")
