"""Shared pieces of the synthetic-project generator: records, a line writer, names, bug dice."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# Codes a planted bug is expected to produce (see docs/rules/); used only for the manifest.
UNSCOPED_READ = "TNT101"
UNSCOPED_WRITE = "TNT102"
UNTRUSTED_VALUE = "TNT103"
ORG_FROM_REQUEST = "TNT201"
UNSCOPED_VIEW = "TNT202"

# Of the planted bugs, how they are distributed (weights).
BUG_KINDS: tuple[tuple[str, int], ...] = (
    (UNSCOPED_READ, 55),
    (UNTRUSTED_VALUE, 25),
    (UNSCOPED_WRITE, 20),
)


@dataclass(frozen=True, slots=True)
class PlantedBug:
    """A deliberately unsafe query: where it starts and the finding it should cause."""

    line: int
    code: str


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """One generated file and what it holds."""

    path: str  # relative, with "/"
    family: str  # "django", "sqlalchemy", "rawsql", "project", "data"
    role: str  # "views", "models", "migration", "tests", ...
    text: str
    queries: int
    bugs: tuple[PlantedBug, ...]

    @property
    def lines(self) -> int:
        return self.text.count("\n")


@dataclass(slots=True)
class Writer:
    """Accumulates lines; records each query's first line and any bug planted in it."""

    lines: list[str] = field(default_factory=list)
    queries: int = 0
    bugs: list[PlantedBug] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def blank(self, count: int = 1) -> None:
        self.lines.extend([""] * count)

    def query(self, lines: list[str], bug: str | None, extra: tuple[str, ...] = ()) -> None:
        """Add a query whose expression starts on the first of ``lines``."""
        start = len(self.lines) + 1
        self.queries += 1
        if bug is not None:
            self.bugs.append(PlantedBug(start, bug))
            self.bugs.extend(PlantedBug(start, code) for code in extra)
        self.lines.extend(lines)

    def mark(self, code: str) -> None:
        """Plant an expected finding on the next line added (not a query: e.g. a handler read)."""
        self.bugs.append(PlantedBug(len(self.lines) + 1, code))

    def build(self, path: str, family: str, role: str) -> GeneratedFile:
        text = "\n".join(self.lines).rstrip("\n") + "\n"
        return GeneratedFile(path, family, role, text, self.queries, tuple(self.bugs))


class Dice:
    """The one source of randomness; everything drawn from a seeded ``random.Random``."""

    def __init__(self, seed: int, bug_rate: float) -> None:
        self.rng = random.Random(seed)
        self.bug_rate = bug_rate

    def bug(self, allowed: tuple[str, ...] = (UNSCOPED_READ, UNTRUSTED_VALUE)) -> str | None:
        """None (a safe query) most of the time; otherwise one of ``allowed`` by weight."""
        if self.rng.random() >= self.bug_rate:
            return None
        kinds = [(k, w) for k, w in BUG_KINDS if k in allowed]
        return self.rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: tuple[str, ...] | list[str]) -> str:
        return self.rng.choice(list(items))

    def sample(self, items: tuple[str, ...], k: int) -> list[str]:
        return self.rng.sample(list(items), k)

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


NOUNS: tuple[str, ...] = (
    "Invoice",
    "Payment",
    "Project",
    "Task",
    "Milestone",
    "Customer",
    "Contact",
    "Lead",
    "Ticket",
    "Comment",
    "Product",
    "Warehouse",
    "Shipment",
    "Appointment",
    "Document",
    "Folder",
    "Report",
    "Dashboard",
    "Employee",
    "Campaign",
    "Webhook",
    "Contract",
    "Asset",
    "Vendor",
    "Course",
    "Deal",
    "Quote",
    "Expense",
    "Timesheet",
    "Survey",
    "Booking",
    "Subscription",
    "Refund",
    "Incident",
    "Runbook",
    "Dataset",
    "Pipeline",
    "Workspace",
    "Note",
    "Tag",
    "Budget",
    "Forecast",
    "Order",
    "Receipt",
    "Policy",
    "Audit",
    "Approval",
)
APP_WORDS: tuple[str, ...] = (
    "billing",
    "projects",
    "crm",
    "support",
    "inventory",
    "scheduling",
    "documents",
    "analytics",
    "hr",
    "marketing",
    "notifications",
    "integrations",
    "payments",
    "compliance",
    "reporting",
    "assets",
    "procurement",
    "learning",
    "sales",
    "contracts",
    "expenses",
    "surveys",
    "bookings",
    "incidents",
    "datasets",
    "workflows",
    "approvals",
    "budgets",
)
GLOBAL_NOUNS: tuple[str, ...] = (
    "Currency",
    "Country",
    "Plan",
    "FeatureFlag",
    "Timezone",
    "Industry",
    "TaxRate",
    "Locale",
)
FIELD_KINDS: tuple[tuple[str, str], ...] = (
    ("name", "models.CharField(max_length=200)"),
    ("status", 'models.CharField(max_length=20, choices=STATUS_CHOICES, default="draft")'),
    ("amount", "models.DecimalField(max_digits=12, decimal_places=2, default=0)"),
    ("description", "models.TextField(blank=True)"),
    ("reference", "models.CharField(max_length=64, blank=True, db_index=True)"),
    ("due_date", "models.DateField(null=True, blank=True)"),
    ("is_archived", "models.BooleanField(default=False)"),
    ("priority", "models.PositiveSmallIntegerField(default=3)"),
    ("external_id", "models.CharField(max_length=128, null=True, blank=True)"),
    ("metadata", "models.JSONField(default=dict, blank=True)"),
)


def snake(name: str) -> str:
    """``PurchaseOrder`` -> ``purchase_order``."""
    out: list[str] = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class Names:
    """Hands out unique app names and model class names across the whole project."""

    def __init__(self, dice: Dice) -> None:
        self._dice = dice
        self._apps: list[str] = []
        self._classes: set[str] = set()

    def app(self) -> str:
        base = self._dice.pick(APP_WORDS)
        name = base
        n = 2
        while name in self._apps:
            name = f"{base}{n}"
            n += 1
        self._apps.append(name)
        return name

    def model(self, app: str, pool: tuple[str, ...] = NOUNS) -> str:
        noun = self._dice.pick(pool)
        name = noun if noun not in self._classes else camel(app.rstrip("0123456789")) + noun
        n = 2
        base = name
        while name in self._classes:
            name = f"{base}{n}"
            n += 1
        self._classes.add(name)
        return name
