"""The exceptions the CLI turns into one line: bad input (exit status 2) and Ctrl-C (130)."""


class InputError(ValueError):
    """Bad user input (a file, a flag, a tags line); its message is a single line."""


class Interrupted(Exception):
    """Ctrl-C, with a one-line account of where the command stopped and how to go on."""


INTERRUPTED_STATUS = 130  # 128 + SIGINT, what a shell reports for a command Ctrl-C ended
