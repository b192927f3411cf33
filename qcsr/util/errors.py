"""The one error type that the CLI turns into a single line and exit code 2."""


class QcsrError(Exception):
    """A user-facing problem: bad input file, missing folder, invalid model."""
