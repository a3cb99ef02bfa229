"""How the article evaluation judges a first reply, off-topic questions included."""
from evaluation.articles_in_chat import judged, print_report


def test_the_right_article_anywhere_is_shown_and_first_only_in_front():
    assert judged(["mark-invoice-as-paid"], ["how-is-vat-handled", "mark-invoice-as-paid"]) == (
        True, False)
    assert judged(["mark-invoice-as-paid"], ["mark-invoice-as-paid"]) == (True, True)
    assert judged(["mark-invoice-as-paid"], []) == (False, False)


def test_an_off_topic_question_is_right_only_when_no_article_is_shown():
    assert judged([], []) == (True, True)
    assert judged([], ["how-is-vat-handled"]) == (False, False)


def test_a_missed_off_topic_question_is_reported(capsys):
    miss = {"text": "hvem vinder superligaen", "expected": [], "shown": ["how-is-vat-handled"],
            "moves": ["article"], "right_shown": False, "right_first": False}
    summary = {"language": "da", "questions": 1, "shown": 0.0, "first": 0.0, "no_article": 0.0}
    print_report({"summary": summary, "missed": [miss], "not_first": []})
    assert "expected no article, shown ['how-is-vat-handled']" in capsys.readouterr().out
