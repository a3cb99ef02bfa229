"""Danish problem reports get the same category as English ones, also typed without æ, ø and å."""
import pytest

from support_core.problems import category_of, log_status_in, problem_for


@pytest.mark.parametrize(("text", "category"), [
    ("ordre 10023 er ikke overført til e-conomic", "order_transfer"),
    ("ordren er ikke overfoert til dinero", "order_transfer"),
    ("vores webshopordrer synkroniserer ikke til billy", "order_transfer"),
    ("varenummer TS-RED-L er ikke oprettet i e-conomic", "products"),
    ("produktet findes ikke i fortnox", "products"),
    ("kunden bliver ikke oprettet, vi får en ny debitor hver gang", "customers"),
    ("erhvervskunden mangler sit eannummer", "customers"),
    ("virksomhedskunderne kommer over uden firmanavn", "customers"),
    ("lagerbeholdningen i shopify bliver ikke opdateret", "stock"),
    ("lagertal passer ikke og vi har oversolgt", "stock"),
    ("momsen er forkert på fakturaerne", "vat"),
    ("fakturaen er ikke markeret som betalt", "payments"),
    ("udbetalingen fra indloeseren mangler og gebyret er ikke bogført", "payments"),
    ("indløser gebyrer mangler i kassekladden", "payments"),
    ("der kommer ingen kreditnota når vi refunderer", "invoices"),
    ("fakturaerne ligger som kladder i dinero", "invoices"),
    ("oereafrunding mangler på fakturaen", "invoices"),
    ("intet bliver overført siden i går", "integration_inactive"),
    ("integrationen er stoppet og jobbet koerer ikke", "integration_inactive"),
    ("der kommer intet over siden i mandags", "integration_inactive"),
    ("jeg får fejl-mails fra iex hver dag", "error_notifications"),
    ("fik en fejlnotifikation i nat", "error_notifications"),
    ("hej, kan du hjælpe mig", "other"),
])
def test_a_danish_report_gets_the_category_an_english_one_would(text, category):
    assert category_of(text) == category


def test_an_english_status_quoted_in_danish_text_decides_the_category():
    text = 'loggen siger "Skipped - order not in allowed states" på ordre 1188, den er jo betalt'
    assert log_status_in(text).name == "skipped"
    assert problem_for(text).category == "order_transfer"
    assert problem_for("fejl i totals validation på alle ordrer med rabat").category == "invoices"


@pytest.mark.parametrize(("text", "status"), [
    ("ordren er blevet skippet", "skipped"),
    ("der står at ordren ikke er i tilladte status", "skipped"),
    ("fejl i totalvalidering på ordre 2292", "totals_validation"),
])
def test_a_log_status_written_the_danish_way_is_recognised(text, status):
    assert log_status_in(text).name == status
