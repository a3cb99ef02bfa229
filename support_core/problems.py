"""The problem catalogue: every kind of problem the assistant knows, in one place.

A problem report is one intent (``report_problem``); its category comes from the customer's own
words. Each category says how a ticket reads, which examples support needs, whether the dashboard
log explains it, which self-help response answers it and which help article explains it in
general (the help center's routing of problems to articles). Actions, the rules' check and the
support inbox all read this module.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: The one intent of a problem report.
PROBLEM_INTENT = "report_problem"
#: The category of a problem whose words name no known kind.
OTHER = "other"


@dataclass(frozen=True)
class Problem:
    """One kind of problem and what the assistant and the support team need for it."""

    category: str
    #: How the category reads at the start of a ticket's summary line.
    label: str
    #: The examples to ask for: "orders", "products" or "other".
    example_kind: str
    #: Whether support needs at least one order or product number.
    examples_required: bool
    #: Whether the dashboard log usually says why (a transfer that failed).
    log_explains: bool
    #: Word beginnings that identify the category in the customer's words (regex fragments).
    keywords: tuple[str, ...]
    #: The help article that explains this kind of problem in general, if one article does.
    article: str | None = None

    @property
    def self_help_response(self) -> str:
        return f"utter_self_help_{self.category}"


# The order matters: on a tie the earlier, more specific category wins. Danish words sit next to
# the English ones, also as customers type them without æ, ø and å ("overfoert", "indloser").
PROBLEMS: tuple[Problem, ...] = (
    Problem("error_notifications", "Error notifications", "other", False, False,
            (r"error ?e-?mails?", r"error ?notification", r"notification",
             r"e-?mails? (from|about)", r"mails? from iex", r"fejl ?-?(?:e-?)?mails?", r"alert",
             r"(?:fejl ?-?)?notifikation", r"advarsel", r"(?:e-?)?mails? (?:fra|om)\b"),
            "the-log-and-error-notifications"),
    Problem("vat", "VAT does not match", "orders", True, True,
            (r"vat", r"moms", r"oss\b", r"tax", r"cvr"), "how-is-vat-handled"),
    Problem("stock", "Stock not updated", "products", False, True,
            (r"stock", r"inventory", r"lager", r"beholdning", r"quantit", r"oversol", r"udsolgt"),
            "handling-stock-in-the-accounting-system"),
    Problem("customers", "Customer not created", "other", False, True,
            (r"customer", r"costumer", r"debtor", r"debitor", r"kunde", r"ean\b", r"eannummer",
             r"contact", r"kontaktperson",
             r"(?:privat|erhvervs|firma|virksomheds|samle|slut|b2[bc])kunde"),
            "how-are-customers-synchronized"),
    Problem("products", "Product not created", "products", True, True,
            (r"product", r"produkt", r"sku", r"variant", r"item", r"vare", r"article number"),
            "how-are-products-synchronized"),
    Problem("payments", "Payment problem", "orders", False, True,
            (r"paid", r"payment", r"payout", r"pay\b", r"betal", r"ubetal", r"kortbetal", r"fee",
             r"\w*gebyr", r"acquirer", r"settle", r"udbetal", r"indl(?:ø|oe|o)s", r"afregn",
             r"stripe", r"clearhaus", r"nets\b", r"mobilepay", r"vipps", r"quickpay",
             r"paymatch", r"reconcil", r"afstem", r"kassekladde")),
    Problem("invoices", "Invoice problem", "orders", True, True,
            (r"invoice", r"faktura", r"credit ?note", r"kredit ?nota", r"krediter", r"refund",
             r"refusion", r"tilbagebetal", r"draft", r"kladde", r"totals? validation",
             r"totals? ?-?validering", r"rounding", r"afrund", r"(?:ø|oe|o)re ?-?afrund",
             r"(?:ø|oe)re ?-?diff", r"bill\b")),
    Problem("integration_inactive", "Integration inactive", "other", False, True,
            (r"nothing (is |has been |was )?(transfer|sync|com)", r"stopped", r"inactive",
             r"not running", r"no orders", r"isn.?t running", r"doesn.?t run", r"deactivat",
             r"all orders", r"none of", r"not working at all", r"since (yesterday|monday|last)",
             r"(?:intet|ingenting|ikke noget) (?:(?:er|bliver|blev|er blevet) )?"
             r"(?:overf|synk|sync|kom|sker|sket)",
             r"(?:overf|synk)\w* (?:der )?(?:intet|ingenting|ikke noget)",
             r"(?:kommer|sker) (?:der )?(?:intet|ingenting|ikke noget)", r"ingen overf",
             r"stopp", r"inaktiv", r"deaktiv", r"sl(?:å|aa|a)et fra", r"k(?:ø|oe|o)re[rs]? ikke",
             r"st(?:å|aa|a)r stille", r"g(?:å|aa|a)et i st(?:å|aa|a)", r"(?:er|ligger) nede",
             r"ingen ordre", r"alle ordre",
             r"ingen af", r"virker (?:slet|overhovedet) ikke", r"intet virker",
             r"siden (?:i ?g(?:å|aa|a)r|i ?forg(?:å|aa|a)r|i morges|weekenden|sidste|(?:i )?"
             r"(?:man|tirs|ons|tors|fre|l(?:ø|oe|o)r|s(?:ø|oe|o)n)dag)"),
            "how-to-use-the-iex-dashboard"),
    Problem("order_transfer", "Order not transferred", "orders", True, True,
            (r"order", r"\w*ordre", r"transfer", r"overf(?:ø|oe|o)r", r"skip", r"sync", r"synk",
             r"not in allowed", r"ikke (?:er )?i (?:de )?tilladte",
             r"(?:kommet|kommer|kom) (?:ikke )?over", r"spr(?:u|i)ng\w* over"),
            "when-is-the-webshop-order-transferred"),
)

#: The category of a report that names none of the above.
GENERAL_PROBLEM = Problem(OTHER, "Support request", "other", False, True, ())

_BY_CATEGORY = {problem.category: problem for problem in PROBLEMS + (GENERAL_PROBLEM,)}
_KEYWORDS = {
    problem.category: re.compile(r"\b(?:" + "|".join(problem.keywords) + ")", re.IGNORECASE)
    for problem in PROBLEMS
}


def problem(category: str | None) -> Problem:
    """The catalogue row of a category; an unknown or missing one is the general problem."""
    return _BY_CATEGORY.get(category or OTHER, GENERAL_PROBLEM)


def categories() -> list[str]:
    """Every category a ticket can have, "other" last."""
    return [item.category for item in PROBLEMS] + [OTHER]


def category_of(text: str) -> str:
    """The kind of problem the customer's words describe: the category with most keyword hits."""
    best, best_hits = OTHER, 0
    for item in PROBLEMS:
        hits = len(_KEYWORDS[item.category].findall(text or ""))
        if hits > best_hits:
            best, best_hits = item.category, hits
    return best


#: Words that say something went wrong ("fails", "won't transfer", "kommer ikke over"); "I have
#: no order number" has none of them.
_FAILURE = re.compile(
    r"\b(?:fail\w*|fejler|fejlede|fejlet|errors?|wont|won.?t|doesn.?t|does not|never|rejected"
    r"|afvis\w*|afvist|stopped|stopper|stoppet|g(?:å|aa)r ikke|virker ikke|bliver ikke|blev ikke"
    r"|kommer ikke|kom ikke|ikke (?:kommet|overf\w*|oprettet|bogf\w*))\b",
    re.IGNORECASE,
)


def tells_a_failure(text: str) -> bool:
    """Tell whether the words say that something went wrong, not only that something is absent."""
    return bool(_FAILURE.search(text or ""))


@dataclass(frozen=True)
class LogStatus:
    """A status or error text of the dashboard log that has its own explanation and article."""

    name: str
    #: How customers quote it (a regex, case-insensitive).
    pattern: str
    #: The category it belongs to.
    category: str
    #: The help article that explains it.
    article: str

    @property
    def response(self) -> str:
        return f"utter_log_status_{self.name}"


LOG_STATUSES: tuple[LogStatus, ...] = (
    LogStatus("skipped", r"\bskip+(ed|et|ped)?\b|not in (the )?allowed (order )?stat"
              r"|ikke (er )?i (de )?tilladte (ordre ?)?stat",
              "order_transfer", "log-status-skipped-order-not-in-allowed-states"),
    LogStatus("totals_validation", r"totals?[ -]*valid(ation|ering)|error in (the )?totals?",
              "invoices", "what-does-error-in-totals-validation-mean"),
)
_LOG_PATTERNS = {status.name: re.compile(status.pattern, re.IGNORECASE) for status in LOG_STATUSES}


def log_status_in(text: str) -> LogStatus | None:
    """The known log status the customer quotes, if any."""
    for status in LOG_STATUSES:
        if _LOG_PATTERNS[status.name].search(text or ""):
            return status
    return None


def problem_for(text: str) -> Problem:
    """The kind of problem a report describes: its quoted log status's, else its words'."""
    status = log_status_in(text)
    return problem(status.category if status else category_of(text))
