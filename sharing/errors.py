class DomainError(Exception):
    """A rule of the service refused an action; the message is written for the user."""


class StateError(DomainError):
    """The thing is not in a state that allows this action."""


class NotAllowed(DomainError):
    """The user's role or agency does not allow this action."""


class StaleVersion(DomainError):
    """Someone else saved a newer version first."""
