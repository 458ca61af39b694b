"""The one error type that reaches a person: its message is the whole story, never a traceback."""


class UserError(Exception):
    """A problem the user can fix (bad input, missing index, unreachable backend).

    The message is a complete sentence meant to be shown as is; the CLI prints it and exits
    non-zero, the web UI shows it in the chat. Anything else that is raised is a bug.
    """
