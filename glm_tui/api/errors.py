"""Typed errors of the GLM client: one clear sentence for the user, plus the provider's words."""

from __future__ import annotations


class APIError(Exception):
    """Base of every error the client raises.

    ``user_message`` is one plain sentence for a person; ``code`` and ``provider_message`` are
    what the provider said (may be None). ``retryable`` says whether sending again may help.
    The API key never appears in any of these.
    """

    summary = "The request failed."
    retryable = False

    def __init__(
        self,
        provider_message: str | None = None,
        *,
        code: str | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.provider_message = provider_message
        self.code = code
        self.status_code = status_code
        self.retry_after = retry_after
        super().__init__(self.user_message)

    @property
    def user_message(self) -> str:
        """The summary plus the provider's code and message, on one line."""
        parts = [self.summary]
        detail = []
        if self.status_code is not None:
            detail.append(f"HTTP {self.status_code}")
        if self.code:
            detail.append(f"code {self.code}")
        extra = " ".join(detail)
        if self.provider_message:
            extra = f"{extra}: {self.provider_message}" if extra else self.provider_message
        if extra:
            parts.append(f"({extra})")
        return " ".join(parts)


class AuthError(APIError):
    summary = "The API key was rejected: check the key and the provider."


class CreditsError(APIError):
    summary = "The account is out of credits or balance, or its plan or limit is used up."


class RateLimitError(APIError):
    summary = "The provider is rate limiting requests: wait a moment and retry."
    retryable = True


class BadRequestError(APIError):
    summary = "The provider refused the request."


class ServerError(APIError):
    summary = "The provider had a server error."
    retryable = True


class NetworkError(APIError):
    summary = "Could not reach the provider: check the network and the base URL."
    retryable = True


class TimeoutError(APIError):
    summary = "The provider stopped sending data (timed out)."
    retryable = True


class StreamError(APIError):
    """The provider reported an error in the middle of the stream (an error frame)."""

    summary = "The provider reported an error while replying."
    retryable = True


class ConnectionLost(APIError):
    """The body ended (or the connection dropped) before any finish_reason."""

    summary = "The connection was lost before the reply finished."
    retryable = True


class ProtocolError(APIError):
    """The server sent something that is not a chat completion stream."""

    summary = "The server sent a response that is not a chat completion stream."
