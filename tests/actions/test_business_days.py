from datetime import date

from actions.business_days import add_business_days, answer_window, format_day, is_business_day


def test_weekdays_count_and_weekends_are_skipped():
    friday = date(2026, 11, 27)
    assert add_business_days(friday, 1, "DK") == date(2026, 11, 30)  # Monday
    assert add_business_days(friday, 3, "DK") == date(2026, 12, 2)  # Wednesday


def test_a_message_sent_at_the_weekend_counts_from_monday():
    saturday = date(2026, 11, 28)
    assert add_business_days(saturday, 1, "DK") == date(2026, 11, 30)
    assert add_business_days(saturday, 3, "DK") == date(2026, 12, 2)


def test_danish_public_holidays_are_skipped():
    # 24-26 December 2026 are Thursday to Saturday; Christmas Day and Boxing Day are holidays.
    wednesday = date(2026, 12, 23)
    assert not is_business_day(date(2026, 12, 25), "DK")
    assert add_business_days(wednesday, 1, "DK") == date(2026, 12, 24)
    assert add_business_days(wednesday, 2, "DK") == date(2026, 12, 28)


def test_answer_window_gives_earliest_and_latest_day():
    window = answer_window(date(2026, 11, 25), (1, 3), "DK")
    assert window == (date(2026, 11, 26), date(2026, 11, 30))


def test_dates_are_written_out_for_customers():
    assert format_day(date(2026, 12, 2)) == "Wednesday 2 December 2026"
    assert format_day(date(2026, 12, 4), "da") == "fredag den 4. december 2026"
