"""Throughput and latency of settlement (2304) against a running dev stack.

``python -m medfund_adjudication.bench --base-url http://127.0.0.1 --first-port 8001``: enrolls and
pays for residents through enrollment and billing, waits for their cover to reach adjudication,
then drives 2401 → 2301 → 2402 → 2304 and measures 2304 only.
"""
