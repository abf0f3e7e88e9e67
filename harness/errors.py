"""Errors a user can act on. The CLI prints them as one line, never as a traceback."""


class HarnessError(Exception):
    """A problem with the user's input or environment, with a hint on what to do."""

    def __init__(self, problem: str, hint: str = ""):
        self.problem = problem
        self.hint = hint
        super().__init__(f"{problem}" + (f" ({hint})" if hint else ""))


class UnknownTask(HarnessError):
    pass


class UnknownModel(HarnessError):
    pass


class DataMissing(HarnessError):
    pass


class BackendError(HarnessError):
    pass
