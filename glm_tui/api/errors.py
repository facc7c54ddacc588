"""Typed errors of the GLM client: one clear sentence for the user, plus the provider's words."""

from __future__ import annotations


class APIError(Exception):
    """Base of every error the client raises.

    ``user_message`` is one plain sentence for a person (and at most one more saying what to
    do); ``code`` and ``provider_message`` are what the provider said (may be None).
    ``retryable`` says whether sending again may help. The API key never appears in any of these.
    """

    summary = "The request failed"
    """What happened, as the start of a sentence (no full stop: details may follow)."""
    advice = ""
    """A second, short sentence: what the user can do about it (empty if nothing)."""
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
    def headline(self) -> str:
        """What happened, with the provider's status, code and words in a parenthesis."""
        detail = ", ".join(
            part
            for part in (
                f"HTTP {self.status_code}" if self.status_code is not None else "",
                f"code {self.code}" if self.code else "",
            )
            if part
        )
        words = provider_words(self.provider_message)
        if words:
            detail = f"{detail}: {words}" if detail else words
        return f"{self.summary} ({detail})." if detail else f"{self.summary}."

    @property
    def user_message(self) -> str:
        """One sentence for a person: the headline, then what to do (if anything helps)."""
        return f"{self.headline} {self.advice}" if self.advice else self.headline


def provider_words(text: str | None) -> str:
    """The provider's message fit for a parenthesis: one line, without a final full stop."""
    return " ".join((text or "").split()).rstrip(" .")


class AuthError(APIError):
    summary = "The API key was rejected"
    advice = "Check the key and the provider."


class CreditsError(APIError):
    summary = "The account is out of credits or balance, or its plan or limit is used up"


class RateLimitError(APIError):
    summary = "The provider is rate limiting requests"
    advice = "Wait a moment and retry."
    retryable = True


class BadRequestError(APIError):
    summary = "The provider refused the request"


class ServerError(APIError):
    summary = "The provider had a server error"
    retryable = True


class NetworkError(APIError):
    summary = "Could not reach the provider"
    advice = "Check the network and the base URL."
    retryable = True


class TimeoutError(APIError):
    summary = "The provider timed out"
    retryable = True


class StreamError(APIError):
    """The provider reported an error in the middle of the stream (an error frame)."""

    summary = "The provider reported an error while replying"
    retryable = True


class ConnectionLost(APIError):
    """The body ended (or the connection dropped) before any finish_reason."""

    summary = "The connection was lost before the reply finished"
    retryable = True


class ProtocolError(APIError):
    """The server sent something that is not a chat completion stream."""

    summary = "The server sent a response that is not a chat completion stream"
