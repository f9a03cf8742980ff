"""Privacy in one place: :func:`constrain` before compiling; the pipeline (organizations first,
the differencing guard, :class:`Protection` after executing, empty cells filled, comparisons)
around an injected executor.

See PRIVACY.md for the threat model, the parameters (:class:`PrivacyParams`, from Settings
``privacy_*``) and the table of rules, modules and tests.
"""

from resolvers.privacy.constrain import Caller, Constrained, constrain
from resolvers.privacy.params import PrivacyParams
from resolvers.privacy.protect import Protection, Published
from resolvers.privacy.reasons import REASONS, Reason

__all__ = ["REASONS", "Caller", "Constrained", "PrivacyParams", "Protection", "Published", "Reason", "constrain"]
