"""Login throttling: three locks with their own thresholds, and the client's address.

django-axes records each failed sign-in as an entry per account, address
(and browser). We lock on three counts of those failures, each within
AXES_COOLOFF_HOURS and with its own threshold (0 turns a lock off):

- an account from one address (AXES_FAILURE_LIMIT, 5): a mistyped password;
- an address, whatever the accounts (AXES_ADDRESS_FAILURE_LIMIT, 10): one
  machine trying many accounts; higher than the first, since a whole office
  may share one address;
- an account, whatever the addresses (AXES_ACCOUNT_FAILURE_LIMIT, 20): many
  machines trying one account.

Axes compares one number, the handler's failures, with one limit,
AXES_FAILURE_LIMIT. `ThrottlingHandler` reports failures on that scale: the
limit minus the attempts left before the nearest lock, so the comparison
holds for every threshold without copying axes' code.

The client's address is REMOTE_ADDR; behind TRUSTED_PROXY_COUNT reverse
proxies that each append the address they saw to X-Forwarded-For, it is the
entry the outermost proxy wrote, counted from the right, so that nothing a
visitor sends can choose it. (ipware's proxy count assumes the last proxy
lists itself in the header, which nginx and Caddy do not do.)
"""

import ipaddress
import sys
from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone


@dataclass(frozen=True)
class Lock:
    """Failures counted together: those sharing the values of `parameters`."""

    parameters: tuple[str, ...]
    limit_setting: str

    @property
    def limit(self) -> int:
        return getattr(settings, self.limit_setting)


ACCOUNT_FROM_ADDRESS = Lock(("username", "ip_address"), "AXES_FAILURE_LIMIT")
ADDRESS = Lock(("ip_address",), "AXES_ADDRESS_FAILURE_LIMIT")
ACCOUNT = Lock(("username",), "AXES_ACCOUNT_FAILURE_LIMIT")
LOCKS = (ACCOUNT_FROM_ADDRESS, ADDRESS, ACCOUNT)
# The listing's annotations are named after these: `address_failures`...
LOCK_NAMES = {"account_from_address": ACCOUNT_FROM_ADDRESS, "address": ADDRESS, "account": ACCOUNT}


def locks_in_force() -> list[Lock]:
    return [lock for lock in LOCKS if lock.limit > 0]


def lockout_parameters(request_or_attempt=None, credentials=None) -> list[list[str]]:
    """AXES_LOCKOUT_PARAMETERS: one group per lock in force, in the order of LOCKS."""
    return [list(lock.parameters) for lock in locks_in_force()]


class ThrottlingHandler(AxesDatabaseHandler):
    """Axes' database handler, with a threshold per lock (see the module docstring)."""

    def failures_by_lock(self, request, credentials=None) -> dict[Lock, int]:
        # get_user_attempts gives one queryset per lockout parameter group,
        # in the order of lockout_parameters(), with the cool-off applied.
        attempts = self.get_user_attempts(request, credentials)
        return {
            lock: queryset.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for lock, queryset in zip(locks_in_force(), attempts, strict=True)
        }

    def exhausted_locks(self, request, credentials=None) -> list[Lock]:
        failures = self.failures_by_lock(request, credentials)
        return [lock for lock, count in failures.items() if count >= lock.limit]

    def get_failures(self, request, credentials=None) -> int:
        failures = self.failures_by_lock(request, credentials)
        attempts_left = min(
            (lock.limit - count for lock, count in failures.items()), default=sys.maxsize
        )
        return get_failure_limit(request, credentials) - attempts_left

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in, forget that account's failures from that address.

        Axes would delete every entry of the address and of the account, so
        that signing in to one's own account would reset the count of an
        address trying other people's.
        """
        count, _ = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        ).delete()
        return count


def counted_since() -> datetime | None:
    """Entries whose last failure is older than this no longer count (None: all count)."""
    cool_off = get_cool_off()
    return None if cool_off is None else timezone.now() - cool_off


def recent_attempts() -> QuerySet:
    """The entries that still count, as the handler sees them."""
    since = counted_since()
    attempts = AccessAttempt.objects.all()
    return attempts if since is None else attempts.filter(attempt_time__gte=since)


def _failures_of(lock: Lock):
    """The failures counted by `lock` for an entry, as a subquery on that entry."""
    group = recent_attempts().filter(**{name: OuterRef(name) for name in lock.parameters})
    total = group.order_by().values(*lock.parameters).annotate(total=Sum("failures_since_start"))
    return Coalesce(Subquery(total.values("total")[:1]), 0, output_field=IntegerField())


def with_locks(attempts: QuerySet) -> QuerySet:
    """Annotate each entry with `<lock>_failures` for each lock, for the listing."""
    return attempts.annotate(
        **{f"{name}_failures": _failures_of(lock) for name, lock in LOCK_NAMES.items()}
    )


def locks_held(attempt: AccessAttempt) -> list[Lock]:
    """The locks in force that this entry counts towards (entries from `with_locks`)."""
    since = counted_since()
    if since is not None and attempt.attempt_time < since:
        return []
    return [
        lock
        for name, lock in LOCK_NAMES.items()
        if lock.limit > 0 and getattr(attempt, f"{name}_failures") >= lock.limit
    ]


def entries_to_clear(attempt: AccessAttempt) -> QuerySet:
    """What clearing this entry removes: the entry, and every entry of the locks it holds.

    An account locked from every address is lifted only if its failures
    from the other addresses go too; likewise for an address.
    """
    attempt = with_locks(AccessAttempt.objects.filter(pk=attempt.pk)).first()
    entries = (
        AccessAttempt.objects.filter(pk=attempt.pk) if attempt else AccessAttempt.objects.none()
    )
    for lock in locks_held(attempt) if attempt else []:
        entries = entries | AccessAttempt.objects.filter(
            **{name: getattr(attempt, name) for name in lock.parameters}
        )
    return entries


def client_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the visitor's address (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return _normalised(remote) or remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    hops = forwarded.split(",") if forwarded else []
    if len(hops) < proxies:
        # Not through all our proxies (or a misconfigured count): the peer is all we know.
        return _normalised(remote) or remote
    return _normalised(hops[-proxies]) or _normalised(remote) or remote


def _normalised(value: str | None) -> str | None:
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv6Address):
        # One subscriber holds a whole /64: counted as one address, so that
        # rotating through it does not escape the address lock.
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)
