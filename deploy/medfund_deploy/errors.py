"""The one error the launcher raises, so callers print a message instead of a traceback."""


class StackError(RuntimeError):
    """Something in the local stack failed to start or stop; the message names it and its log."""
