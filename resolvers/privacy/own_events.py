"""P6 at event level: who may list an organization's own events, and who may correct them.

An organization sees its own events in detail; a partner never sees event-level data, and a
token of no organization has no events of its own. Only a ``member`` corrects event labels,
and only its own organization's: every lookup is made within the caller's organization, so an
id of another organization's event gets exactly the answer an unknown id gets, never saying
that it exists.

>>> own_events_org(Caller("no-olt", "member")), corrector_org(Caller("no-olt", "member"))
('no-olt', 'no-olt')
>>> corrector_org(Caller(None, "admin"))
Traceback (most recent call last):
...
cid_graph.errors.ForbiddenError: only a member organization may correct event labels, and only its own events; this token is an admin token
hint: Sign in with a member token of the organization that holds the event.
"""

from __future__ import annotations

from cid_graph.errors import ForbiddenError, QueryError
from resolvers.privacy.constrain import Caller


def own_events_org(caller: Caller) -> str:
    """The organization whose events the caller may list (P6), or FORBIDDEN."""
    if caller.role == "partner":
        raise ForbiddenError(
            "partners see network aggregates only; an organization's events are for the organization",
            hint="Use insights with scope: NETWORK.")
    if not caller.org_id:
        raise ForbiddenError("this token belongs to no organization, so it has no events of its own",
                             hint="Use a member token of the organization.")
    return caller.org_id


def corrector_org(caller: Caller) -> str:
    """The organization whose event labels the caller may correct (members only), or FORBIDDEN."""
    if caller.role != "member" or not caller.org_id:
        article = "an" if caller.role[:1] in "aeiou" else "a"
        raise ForbiddenError(
            "only a member organization may correct event labels, and only its own events; "
            f"this token is {article} {caller.role} token",
            hint="Sign in with a member token of the organization that holds the event.")
    return caller.org_id


def unknown_event(event_id: str) -> QueryError:
    """The one error for an id that is not among the caller's events (unknown or not theirs)."""
    shown = event_id if len(event_id) <= 128 else event_id[:125] + "..."
    return QueryError(f"no event {shown!r} among your organization's events",
                      hint="Use an event id from myEvents (or from insights grouped by EVENT in scope OWN).")
