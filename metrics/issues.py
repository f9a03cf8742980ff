"""Where a semantic-model definition came from, and what is wrong with it.

Every problem the loader or a validation rule finds is a :class:`ModelIssue`. They are
collected as a batch and reported together, each as ``file:line: message``.

>>> str(ModelIssue("error", "model/metrics.yaml", 12, "metric 'x' has no label in fi"))
"model/metrics.yaml:12: metric 'x' has no label in fi"
"""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class ModelIssue:
    """One problem in the semantic model.

    Attributes:
        level: ``"error"`` (the model does not load) or ``"warning"``.
        file: The YAML file, as found under the model folder.
        line: 1-based line of the offending node (0 when unknown).
        message: What is wrong, naming the object and the fix where possible.
    """

    level: str
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Loc:
    """A source location: the file and line of a node, and the line of each of its keys.

    >>> loc = Loc("m.yaml", 3, (("column", 5),))
    >>> loc.at("column").line, loc.at("missing").line
    (5, 3)
    """

    file: str = "<memory>"
    line: int = 0
    keys: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    def at(self, key: str) -> Loc:
        """The location of ``key``'s value, or of the whole node when the key is absent."""
        for name, line in self.keys:
            if name == key:
                return Loc(self.file, line)
        return Loc(self.file, self.line)

    def issue(self, message: str, level: str = ERROR) -> ModelIssue:
        """An issue located here."""
        return ModelIssue(level, self.file, self.line, message)
