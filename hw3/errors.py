"""The one exception family the CLI turns into a one-line message and exit status 2."""


class InputError(ValueError):
    """Bad user input (a file, a flag, a tags line); its message is a single line."""
