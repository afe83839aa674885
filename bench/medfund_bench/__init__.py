"""``make bench``: our figures beside the machine's own limits for the same work, measured in one run."""
