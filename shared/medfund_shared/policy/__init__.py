"""Policy packs: versioned, validated data files holding every rate, amount and threshold."""
