"""Privacy in one place: :func:`constrain` before compiling, :class:`Protection` after executing.

See PRIVACY.md for the threat model and the parameters (Settings ``privacy_*``).
"""

from resolvers.privacy.constrain import Caller, Constrained, constrain
from resolvers.privacy.protect import REASONS, Protection, Published

__all__ = ["REASONS", "Caller", "Constrained", "Protection", "Published", "constrain"]
