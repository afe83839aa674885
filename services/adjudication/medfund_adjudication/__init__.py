"""Adjudication service: real-time settlement through the NHSA-compatible gateway"""
