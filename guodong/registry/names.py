"""Resource names written by other people, resolved to catalogue types the way an analyst would.

A request from a military or emergency office says 帐篷, 发电机组 or “救灾帐篷（12m²）”, not the
catalogue's “12 m² 救灾帐篷”. A name resolves, in this order, through

1. the type's URN or code (``urn:guodong:resource-type:sup.she.tent-12``, ``SUP.SHE.TENT-12``,
   ``TENT-12``);
2. the names and synonyms of kinds and types, compared after folding full-width and half-width
   forms, case, spaces, brackets, dashes and unit spellings (m²/平米/平方米, kW/千瓦); numbers with
   units ("12m2", "≥500kw", "20-30吨") are read as specifications that narrow a name shared by
   several types;
3. the same with a leading count ("3台"), a trailing measure word or generic suffix (类, 型, 台,
   顶, 设备, 若干…) or a leading 应急/救灾/防汛… taken off;
4. a near spelling: the longest known name inside the written one, or the known names that
   contain it.

A kind's name or synonym stands for every type of the kind in force; a synonym carried by several
types stands for all of them. Several types found are acceptable substitutes: the demand line
keeps them for the analyst to confirm or narrow.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from guodong.registry.choices import CatalogueLevel
from guodong.registry.models import ResourceType
from guodong.registry.models.catalogue import URN_PREFIX, NameMatch

# Ways of writing a unit, folded to one spelling (after NFKC, so ㎡ and m² are already "m2").
UNIT_SPELLINGS = (
    ("平方米", "m2"), ("平米", "m2"), ("立方米", "m3"), ("立方", "m3"), ("千瓦", "kw"),
    ("公斤", "kg"), ("千克", "kg"), ("公里", "km"), ("千米", "km"), ("吨", "t"),
)  # fmt: skip
# "不少于 40 座", "200kW以上": a comparison written in words, before or after the figure.
COMPARISON_WORDS = (
    ("大于等于", "≥"), ("不少于", "≥"), ("不低于", "≥"), ("不小于", "≥"),
    ("小于等于", "≤"), ("不多于", "≤"), ("不超过", "≤"), ("不大于", "≤"),
)  # fmt: skip
FIGURE = r"(\d+(?:\.\d+)?[a-z0-9座米升人]*)"
AT_LEAST_AFTER = re.compile(FIGURE + "及?以上")
AT_MOST_AFTER = re.compile(FIGURE + "(?:及?以下|以内)")
OPENING, CLOSING = "([{【〔［《〈「『", ")]}】〕］》〉」』"
DASHES = str.maketrans(dict.fromkeys("–—―~～〜－", "-"))
MEASURE_WORDS = "台顶辆架艘套个部件张具只条床箱名所间副块根把支份批"
COUNT = re.compile(rf"^\d+(?:\.\d+)?[{MEASURE_WORDS}]|[×x*]\d+$")
SPEC = re.compile(r"[≥≤<>]?\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?(?:[a-z][a-z0-9]*|座|米|升|人)?")
INTERVAL = re.compile(r"([≥≤<>]?)(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?(.*)")
NOT_WORD = re.compile(r"\W|_")
GENERIC_SUFFIXES = ("若干", "一批", "等", "设备", "装备", "器材", "类", "型", *MEASURE_WORDS)
GENERIC_PREFIXES = ("应急", "救灾", "防汛", "抢险", "紧急", "救援", "急需", "移动式", "移动")
CODE = re.compile(r"[a-z0-9][a-z0-9.\-]*", re.IGNORECASE)
NEAR_LIMIT = 12  # a near spelling that fits more types than this says too little


@dataclass(frozen=True)
class Key:
    """A name folded for comparison: the words, and the specifications written with numbers."""

    core: str
    specs: frozenset[str] = frozenset()


def fold(text: str) -> Key:
    """The comparable form of a name: "12 m² 救灾帐篷" and "救灾帐篷（12平米）" fold alike."""
    text = unicodedata.normalize("NFKC", text).lower().translate(DASHES)
    for opening, closing in zip(OPENING, CLOSING, strict=True):
        text = text.replace(opening, "(").replace(closing, ")")
    for spelling, unit in UNIT_SPELLINGS:
        text = text.replace(spelling, unit)
    text = re.sub(r"\s+", "", text)
    for words, sign in COMPARISON_WORDS:
        text = text.replace(words, sign)
    text = AT_MOST_AFTER.sub(r"≤\1", AT_LEAST_AFTER.sub(r"≥\1", text))
    specs = {token for inner in re.findall(r"\(([^()]*)\)", text) for token in _specs(inner)}
    outside = re.sub(r"\([^()]*\)", "", text).replace("(", "").replace(")", "")
    outside = COUNT.sub("", outside)
    specs |= _specs(outside)
    core = SPEC.sub("", outside)
    core = NOT_WORD.sub("", core)
    return Key(core, frozenset(specs))


def _specs(text: str) -> set[str]:
    return {m.group() for m in SPEC.finditer(text) if any(c.isdigit() for c in m.group())}


def interval(spec: str) -> tuple[float, float, str] | None:
    """A specification as the range of values it allows and its unit: "≥500kw" is (500, inf,
    "kw"), "20-30t" is (20, 30, "t"), "12m2" is (12, 12, "m2"); None without a unit."""
    found = INTERVAL.fullmatch(spec)
    if found is None or not found.group(4):
        return None
    sign, low, high, unit = found.groups()
    value = float(low)
    if high is not None:
        return value, float(high), unit
    step = 1e-9  # "<100" excludes 100 itself
    bounds = {
        "≥": (value, math.inf), ">": (value + step, math.inf),
        "≤": (-math.inf, value), "<": (-math.inf, value - step),
    }  # fmt: skip
    lo, hi = bounds.get(sign, (value, value))
    return lo, hi, unit


def fits(written: frozenset[str], specs: Iterable[str]) -> bool:
    """Whether figures written in a request agree with a type's: the same spelling, or ranges of
    the same unit that overlap ("200kw" fits "100-500kw", not "≥500kw")."""
    specs = set(specs)
    if written & specs:
        return True
    ranges = [r for r in map(interval, specs) if r]
    for wanted in filter(None, map(interval, written)):
        for lo, hi, unit in ranges:
            if unit == wanted[2] and lo <= wanted[1] and wanted[0] <= hi:
                return True
    return False


def variants(core: str) -> list[str]:
    """Shorter forms of a core name to try when it matches nothing: without a trailing measure
    word or generic suffix, without a leading 应急/救灾…, and both."""
    found: list[str] = []

    def add(value: str) -> None:
        if len(value) >= 2 and value != core and value not in found:
            found.append(value)

    stripped = core
    while True:
        suffix = next((s for s in GENERIC_SUFFIXES if stripped.endswith(s)), None)
        if suffix is None or len(stripped) - len(suffix) < 2:
            break
        stripped = stripped[: -len(suffix)]
        add(stripped)
    for base in (core, *found):
        prefix = next((p for p in GENERIC_PREFIXES if base.startswith(p)), None)
        if prefix:
            add(base[len(prefix) :])
    if core.isascii() and core.endswith("s"):
        # English plurals: "tents", "generators", "ambulances".
        add(core[:-2] if core.endswith("es") and not core.endswith("ses") else core[:-1])
        add(core[:-1])
    return found


@dataclass
class Resolution:
    """What a written name stands for: one type, or several acceptable types (substitutes)."""

    written: str
    match: NameMatch | None = None
    types: list[ResourceType] = field(default_factory=list)
    node: ResourceType | None = None  # a kind or category named by URN or code

    @property
    def resolved(self) -> bool:
        return self.match is not None

    @property
    def line_type(self) -> ResourceType | None:
        """The type a demand line asks for: the only candidate, the kind all candidates belong
        to, or (candidates across kinds) the first; the candidates themselves go with it."""
        if self.node is not None:
            return self.node
        if not self.types:
            return None
        if len(self.types) == 1:
            return self.types[0]
        parents = {t.parent_id for t in self.types}
        if len(parents) == 1 and self.types[0].parent is not None:
            return self.types[0].parent
        return self.types[0]

    @property
    def candidate_ids(self) -> list[int]:
        """Type ids to keep on the line when there is a choice to make ([] when there is not)."""
        return sorted(t.pk for t in self.types) if len(self.types) > 1 else []


class Catalogue:
    """The catalogue's names and synonyms, indexed by folded core; read once per message so an
    administrator's edit applies to the next message received."""

    def __init__(self, nodes: Iterable[ResourceType] | None = None) -> None:
        if nodes is None:
            nodes = ResourceType.objects.filter(level__gt=CatalogueLevel.CATEGORY).select_related(
                "parent"
            )
        self.nodes = list(nodes)
        self.by_code = {n.code.lower(): n for n in self.nodes}
        self.types_of: dict[int, list[ResourceType]] = defaultdict(list)
        # core -> [(node, specs of that spelling, True if it is the node's own name)]
        self.index: dict[str, list[tuple[ResourceType, frozenset[str], bool]]] = defaultdict(list)
        # type id -> the figures of its name and synonyms ("12m2", "20-30吨"), to narrow by
        self.specs: dict[int, set[str]] = defaultdict(set)
        for node in self.nodes:
            if node.level == CatalogueLevel.TYPE and node.retired_in is None and node.parent_id:
                self.types_of[node.parent_id].append(node)
        for node in self.nodes:
            if node.level == CatalogueLevel.TYPE and node.retired_in is not None:
                continue
            for position, name in enumerate([node.name, *node.synonyms]):
                key = fold(str(name))
                if key.core:
                    self.index[key.core].append((node, key.specs, position == 0))
                self.specs[node.pk] |= key.specs

    def resolve(self, *written: str) -> Resolution:
        """What the written values (TypeStructure value, then name) stand for: the first that
        resolves by code, name or synonym; failing that, the first near spelling."""
        values = [" ".join(w.split()) for w in written if w and w.strip()]
        for value in values:
            found = self._resolve(value)
            if found.resolved:
                return found
        for value in values:
            key = fold(value)
            found = self._near(value, key) if key.core else Resolution(value)
            if found.resolved:
                return found
        return Resolution(written=values[-1] if values else "")

    def _resolve(self, value: str) -> Resolution:
        by_code = self._by_code(value)
        if by_code is not None:
            return by_code
        key = fold(value)
        for core in (key.core, *variants(key.core)) if key.core else ():
            entries = self.index.get(core)
            if entries:
                return self._from_entries(value, key, entries, exact=core == key.core)
        return Resolution(value)

    def _by_code(self, value: str) -> Resolution | None:
        text = value.strip().lower()
        if text.startswith(URN_PREFIX):
            text = text[len(URN_PREFIX) :]
        elif not CODE.fullmatch(text) or ("." not in text and "-" not in text):
            # A bare word ("ups", "gpu") is a name, not a code.
            return None
        node = self.by_code.get(text)
        if node is None:
            ends = [n for code, n in self.by_code.items() if code.endswith("." + text)]
            node = ends[0] if len(ends) == 1 else None
        if node is None:
            if value.strip().lower().startswith(URN_PREFIX):
                # A URN of ours that names nothing: look it up among retired or category codes.
                node = ResourceType.objects.filter(code__iexact=text).first()
                if node is not None:
                    return Resolution(value, NameMatch.URN, node=node)
            return None
        if node.level == CatalogueLevel.TYPE:
            return Resolution(value, NameMatch.URN, [node])
        return Resolution(value, NameMatch.URN, node=node)

    def _expand(self, nodes: Iterable[ResourceType]) -> list[ResourceType]:
        types: dict[int, ResourceType] = {}
        for node in nodes:
            members = [node] if node.level == CatalogueLevel.TYPE else self.types_of[node.pk]
            types.update((t.pk, t) for t in members)
        return sorted(types.values(), key=lambda t: t.path)

    def _from_entries(
        self,
        value: str,
        key: Key,
        entries: list[tuple[ResourceType, frozenset[str], bool]],
        *,
        exact: bool,
    ) -> Resolution:
        chosen = entries
        if key.specs:
            # "救灾帐篷（12m²）": of the spellings sharing the words, those with the same figures.
            chosen = [e for e in entries if fits(key.specs, e[1])] or entries
        types = self._expand(node for node, _specs, _own in chosen)
        if key.specs:
            # "200kW发电机组", "36平米帐篷": of the types found, those whose figures allow them.
            # The same figures written the same way first ("20-30t" is 中型, not also ≥30t).
            same = [t for t in types if key.specs & self.specs[t.pk]]
            types = same or [t for t in types if fits(key.specs, self.specs[t.pk])] or types
        if not types:
            return Resolution(value)
        if any(node.level == CatalogueLevel.KIND for node, _specs, _own in chosen):
            match = NameMatch.KIND
        elif exact and {n.pk for n, _specs, own in chosen if own} == {n.pk for n, *_ in chosen}:
            match = NameMatch.NAME
        else:
            match = NameMatch.SYNONYM
        return Resolution(value, match, types)

    def _near(self, value: str, key: Key) -> Resolution:
        inside = [core for core in self.index if _long_enough(core) and core in key.core]
        if inside:
            # The head word comes last ("履带式挖掘机", "water pump"): a known name ending the
            # written one wins over a longer one inside it.
            ending = [core for core in inside if key.core.endswith(core)]
            return self._with(value, key, self.index[max(ending or inside, key=len)])
        around = [core for core in self.index if _long_enough(key.core) and key.core in core]
        entries = [entry for core in around for entry in self.index[core]]
        if entries:
            return self._with(value, key, entries)
        return Resolution(value)

    def _with(
        self, value: str, key: Key, entries: list[tuple[ResourceType, frozenset[str], bool]]
    ) -> Resolution:
        found = self._from_entries(value, key, entries, exact=False)
        if not found.resolved or len(found.types) > NEAR_LIMIT:
            return Resolution(value)
        found.match = NameMatch.NEAR
        return found


def _long_enough(core: str) -> bool:
    """Long enough to be found inside another name: two Chinese characters say something; two
    letters ("dr", "ai") are too often part of an unrelated word once spaces are folded away."""
    return len(core) >= (4 if core.isascii() else 2)


def split_synonyms(text: str) -> list[str]:
    """Synonyms typed in one field, separated by commas, semicolons, 、 or new lines; blanks and
    repeats dropped, order kept."""
    parts = re.split(r"[,，;；、\n\r]+", text)
    return list(dict.fromkeys(" ".join(p.split()) for p in parts if p.strip()))
