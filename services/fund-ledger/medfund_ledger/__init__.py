"""Fund ledger: per-pool double-entry journal, balances, early warning"""
