"""Shared building blocks of the medfund services: money, events, policy packs and plumbing."""
