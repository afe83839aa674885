"""The policy packs shipped with the project (YAML data, one file per pack)."""
