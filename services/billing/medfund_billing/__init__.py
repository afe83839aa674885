"""Billing service: contributions from the tax bureau, subsidies, employee accounts"""
