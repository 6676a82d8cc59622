"""The one error type the user sees: a single line, no traceback, exit status 2."""


class UserError(Exception):
    """A problem the user can fix (bad input, bad config, missing device); shown as one line."""

    exit_code = 2
