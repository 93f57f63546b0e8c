"""What may be attached to a ledger's records, and which attachments a record must have.

Each ledger declares its attachment kinds (改造前, 鉴定表, …) and its evidence rules (a
finished renovation needs an 改造后 photo) here, beside its fields: the form's kind list,
bulk attach's file-name matching, ``check``, the overview and the archive print are all
generated from these declarations.
"""

from __future__ import annotations

from dataclasses import dataclass

from hebi_desktop.domain.queries import Condition

OTHER = "其他"


@dataclass(frozen=True, slots=True)
class AttachmentKind:
    """One kind of attachment. ``aliases``: other words villages write in file names."""

    name: str
    aliases: tuple[str, ...] = ()
    photo: bool = False  # printed among the photos of the archive page

    @property
    def words(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A record matching ``when`` (all conditions; none: every record) needs a live
    attachment of ``kind``; a missing one is a 提醒 (never blocks saving)."""

    code: str
    kind: str
    label: str  # short, for the overview: 已竣工缺改造后照片
    when: tuple[Condition, ...] = ()

    @property
    def message(self) -> str:
        return f"附件：{self.label}（缺少“{self.kind}”）"


@dataclass(frozen=True, slots=True)
class AttachmentRules:
    """A ledger's attachment kinds (in the order the form offers them) and evidence rules."""

    kinds: tuple[AttachmentKind, ...] = (AttachmentKind(OTHER),)
    evidence: tuple[Evidence, ...] = ()

    def __post_init__(self) -> None:
        names = self.kind_names
        if len(set(names)) != len(names):
            raise ValueError(f"attachment kinds repeat: {names}")
        unknown = [e.kind for e in self.evidence if e.kind not in names]
        if unknown:
            raise ValueError(f"evidence rules name unknown attachment kinds {unknown}")

    @property
    def kind_names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kinds)

    @property
    def default_kind(self) -> str:
        return OTHER if OTHER in self.kind_names else self.kinds[-1].name

    def kind(self, name: str) -> AttachmentKind:
        for kind in self.kinds:
            if kind.name == name:
                return kind
        raise KeyError(name)

    def kind_in(self, text: str) -> str | None:
        """The kind whose word (or alias) occurs in ``text``; the longest word wins, so
        ``鉴定报告`` is not read as a shorter word it contains."""
        found = [
            (len(word), kind.name) for kind in self.kinds for word in kind.words if word in text
        ]
        return max(found)[1] if found else None
