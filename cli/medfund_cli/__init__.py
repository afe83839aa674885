"""The medfund command"""
