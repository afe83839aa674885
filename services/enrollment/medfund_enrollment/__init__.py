"""Enrollment service: households, persons, coverage periods"""
