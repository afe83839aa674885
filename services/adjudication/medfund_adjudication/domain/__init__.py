"""Adjudication domain: pure rules, no framework, no I/O."""
