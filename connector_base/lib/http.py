"""HTTP session factory: timeouts always, retries with backoff and jitter, typed errors.

``HttpClient.request`` is the only way the suite talks HTTP to a provider:

* every call has a (connect, read) timeout;
* 429 and 5xx answers and connection errors are retried with exponential backoff and
  full jitter, honouring ``Retry-After``;
* a write (``idempotent=False``) is never retried after it may have reached the server:
  a read timeout or a lost response raises ``OutcomeUnknownError`` instead, so that the
  caller looks the record up before writing again. Writes that carry an idempotency key
  (QuickBooks ``requestid``) pass ``idempotent=True`` and are retried;
* what is left raises the typed errors of ``errors``; ``error_parser`` lets a provider
  turn its own fault bodies into them.
"""

import email.utils
import logging
import random
import time

import requests

from . import errors
from .ratelimit import RateLimiter

_logger = logging.getLogger(__name__)


class Timeout(tuple):
    """A (connect, read) timeout that also compares with a number as its read part.

    requests takes it as the tuple it is; code that compares a timeout with a number
    (Odoo's test harness raises short timeouts to 10 s that way) keeps working."""

    def __new__(cls, connect, read):
        return super().__new__(cls, (float(connect), float(read)))

    def __lt__(self, other):
        return self[1] < other if isinstance(other, int | float) else super().__lt__(other)

    def __gt__(self, other):
        return self[1] > other if isinstance(other, int | float) else super().__gt__(other)


def _as_timeout(value):
    return Timeout(*value) if isinstance(value, tuple) else Timeout(value, value)


DEFAULT_TIMEOUT = Timeout(5.0, 60.0)
RETRY_STATUSES = {429, 500, 502, 503, 504}


class RetryPolicy:
    def __init__(self, max_attempts=5, base_delay=0.5, max_delay=60.0, rand=random.random):
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._rand = rand

    def delay(self, attempt, retry_after=None):
        """Seconds to wait before attempt ``attempt + 1`` (attempt counts from 1)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return ceiling * self._rand()  # full jitter


def parse_retry_after(value, now=None):
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def redact(text, secrets=(), limit=2000):
    """An excerpt safe for logs: secrets blanked out, length bounded."""
    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text if len(text) <= limit else text[:limit] + "…"


def default_error_parser(response):
    """Map an unsuccessful response to a typed error."""
    status = response.status_code
    excerpt = redact(response.text, limit=500)
    if status == 401:
        return errors.AuthError(f"HTTP 401: {excerpt}")
    if status == 403:
        return errors.AuthError(f"HTTP 403: {excerpt}")
    if status == 404:
        return errors.NotFoundError(f"HTTP 404: {excerpt}")
    if status == 409:
        return errors.StaleObjectError(f"HTTP 409: {excerpt}")
    if status == 429:
        return errors.RateLimitedError(f"HTTP 429: {excerpt}")
    if status >= 500:
        return errors.TransientError(f"HTTP {status}: {excerpt}")
    return errors.ProviderValidationError(f"HTTP {status}: {excerpt}")


class HttpClient:
    """A requests session with the suite's policies. One per provider client."""

    def __init__(
        self,
        *,
        timeout=DEFAULT_TIMEOUT,
        retry=None,
        rate_limiter=None,
        error_parser=default_error_parser,
        sleep=time.sleep,
        session=None,
        user_agent="odoo-accounting-connectors/18.0",
    ):
        if not timeout:
            raise ValueError("every call needs a timeout")
        self.timeout = _as_timeout(timeout)
        self.retry = retry or RetryPolicy()
        self.rate_limiter = rate_limiter or RateLimiter()
        self.error_parser = error_parser
        self.sleep = sleep
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.secrets = ()

    def request(self, method, url, *, idempotent=None, timeout=None, **kwargs):
        """Send a request; return the successful ``requests.Response``.

        ``idempotent`` defaults to True for GET/HEAD/OPTIONS/PUT/DELETE, False otherwise.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
        timeout = _as_timeout(timeout) if timeout else self.timeout
        attempt = 0
        while True:
            attempt += 1
            error = self._attempt(method, url, idempotent, timeout, kwargs)
            if isinstance(error, requests.Response):
                return error
            retryable = isinstance(error, errors.RetryableError) and not isinstance(error, errors.StaleObjectError)
            if not retryable or attempt >= self.retry.max_attempts:
                raise error
            delay = self.retry.delay(attempt, getattr(error, "retry_after", None))
            _logger.info("%s %s: %s; retry %d in %.1f s", method, url, error.__class__.__name__, attempt, delay)
            self.sleep(delay)

    def _attempt(self, method, url, idempotent, timeout, kwargs):
        """One try: the response when it succeeded, else the typed error."""
        try:
            with self.rate_limiter.slot(timeout=max(60.0, timeout[1])):
                response = self.session.request(method, url, timeout=timeout, **kwargs)
        except TimeoutError as exc:  # no rate-limiter slot: nothing was sent
            return errors.RateLimitedError(str(exc), retry_after=1.0)
        except requests.exceptions.ConnectTimeout as exc:
            return errors.TransientError(f"connect timeout: {url}: {exc}")
        except requests.exceptions.ConnectionError as exc:
            if not idempotent and not _never_sent(exc):
                return errors.OutcomeUnknownError(f"{method} {url}: connection lost after sending: {exc}")
            return errors.TransientError(f"connection error: {url}: {exc}")
        except requests.exceptions.Timeout as exc:
            if not idempotent:
                return errors.OutcomeUnknownError(f"{method} {url}: no answer within the timeout: {exc}")
            return errors.TransientError(f"timeout: {url}: {exc}")
        except requests.exceptions.RequestException as exc:
            return errors.TransientError(f"{method} {url}: {exc}")
        if response.status_code < 400:
            return response
        error = self.error_parser(response)
        if isinstance(error, errors.RetryableError) and error.retry_after is None:
            error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if isinstance(error, errors.TransientError) and not idempotent and response.status_code in (502, 504):
            # A gateway error on a write says nothing about whether the write happened.
            return errors.OutcomeUnknownError(f"{method} {url}: HTTP {response.status_code} on a write")
        return error


def _never_sent(exc):
    """True when a ConnectionError happened before the request left (refused, DNS)."""
    text = str(exc).lower()
    return any(
        s in text
        for s in ("connection refused", "name or service not known", "failed to resolve", "newconnectionerror")
    )
