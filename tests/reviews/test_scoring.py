"""Scoring arithmetic (reviews.scoring): pure functions, numbers worked out by hand."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from reviews.scoring import (
    DISAGREEMENT_RANGE,
    application_statistics,
    goodness,
    normalise,
    percentile,
    weighted_total,
)


def criterion(scale_min=1, scale_max=5, direction="higher_is_better", weight="1", counts=True):
    return SimpleNamespace(
        scale_min=scale_min,
        scale_max=scale_max,
        direction=direction,
        weight=Decimal(weight),
        counts_toward_total=counts,
    )


NIH = criterion(1, 9, "lower_is_better")


def test_goodness_maps_each_scale_onto_0_to_100_with_100_best():
    five = criterion(1, 5)
    assert [goodness(v, five) for v in (1, 2, 3, 4, 5)] == [0.0, 25.0, 50.0, 75.0, 100.0]
    # NIH: 1 is best, so the scale is reversed: 1 → 100, 9 → 0, 3 → (9-3)/8 = 75.
    assert [goodness(v, NIH) for v in (1, 3, 5, 9)] == [100.0, 75.0, 50.0, 0.0]
    with pytest.raises(ValueError, match="outside the scale"):
        goodness(10, NIH)


def test_weighted_total_uses_the_weights():
    # goodness 100 (weight 3) and 0 (weight 1): (3·100 + 1·0) / 4 = 75
    assert weighted_total([(criterion(weight="3"), 5), (criterion(weight="1"), 1)]) == 75.0


def test_weighted_total_mixes_reversed_and_plain_scales_on_one_scale():
    # NIH 3 → 75; plain 1-5 score 4 → 75; so the equal-weight total is 75
    assert weighted_total([(NIH, 3), (criterion(), 4)]) == 75.0


def test_not_applicable_renormalises_the_other_weights_and_is_never_a_zero():
    a, b, c = criterion(weight="2"), criterion(weight="1"), criterion(weight="1")
    scores = [(a, 4), (b, 5), (c, None)]  # c is "not applicable"
    # n/a left out: (2·75 + 1·100) / (2 + 1) = 250 / 3
    assert weighted_total(scores) == pytest.approx(250 / 3)
    # Hypha's bug, counting n/a as a zero: (2·75 + 1·100 + 1·0) / 4 = 62.5 — a different answer
    counted_as_zero = weighted_total([(a, 4), (b, 5), (c, 1)])
    assert counted_as_zero == 62.5
    assert weighted_total(scores) != counted_as_zero


def test_nothing_scored_gives_no_total_and_judged_criteria_stay_out():
    assert weighted_total([(criterion(), None)]) is None
    judged = criterion(0, 1, counts=False)  # NIH expertise and resources: 0 gaps, 1 appropriate
    assert weighted_total([(NIH, 1), (judged, 0)]) == 100.0
    assert weighted_total([(judged, 1)]) is None


def test_overall_score_is_not_an_input_of_the_total():
    # The total only takes criterion scores: an application scored 9 (NIH's worst) overall but 1 on
    # each criterion still totals 100; the overall score lives on the review, apart.
    assert weighted_total([(NIH, 1), (NIH, 1)]) == 100.0


def test_application_statistics():
    stats = application_statistics({"scientific": [50.0, 70.0, 90.0], "lay": [60.0]})
    assert stats.count == 4
    assert stats.mean == 67.5  # (50 + 70 + 90 + 60) / 4
    assert stats.median == 65.0  # (60 + 70) / 2
    # sample sd: deviations -17.5, 2.5, 22.5, -7.5 → squares 306.25 + 6.25 + 506.25 + 56.25 = 875; /3
    assert stats.sd == pytest.approx((875 / 3) ** 0.5)
    assert (stats.low, stats.high, stats.range) == (50.0, 90.0, 40.0)
    assert stats.scientific_mean == 70.0
    assert stats.lay_mean == 60.0
    assert stats.disagreement is True  # 40 ≥ 30


def test_disagreement_flag_is_set_at_the_threshold_only():
    assert application_statistics({"scientific": [50.0, 50.0 + DISAGREEMENT_RANGE]}).disagreement is True
    assert application_statistics({"scientific": [50.0, 79.0]}).disagreement is False
    one = application_statistics({"lay": [40.0]})
    assert (one.count, one.sd, one.range, one.disagreement, one.scientific_mean) == (
        1,
        None,
        0.0,
        False,
        None,
    )
    empty = application_statistics({})
    assert (empty.count, empty.mean, empty.median, empty.range) == (0, None, None, None)


def test_normalisation_on_a_hand_computed_example():
    # Three reviewers, four applications P, Q, R, S, every reviewer reviews all four.
    #   A gives everyone 50:                 μ = 50, sd = 0   → z = 0 for all (sd = 0 rule)
    #   B is lenient: 82, 82, 58, 58         μ = 70, sd = 12  → z = +1, +1, -1, -1
    #   C is harsh:   46, 14, 46, 14         μ = 30, sd = 16  → z = +1, -1, +1, -1
    # Call: 12 totals summing to 200 + 280 + 120 = 600 → mean 50. Squared deviations from 50:
    #   A 0; B 2·32² + 2·8² = 2176; C 2·4² + 2·36² = 2624; total 4800 / 12 = 400 → population sd 20.
    # Mapped back, 50 + 20·z:
    #   A 50, 50, 50, 50;  B 70, 70, 30, 30;  C 70, 30, 70, 30.
    # Per application (mean of three):
    #   raw         P (50+82+46)/3 = 59.33  Q (50+82+14)/3 = 48.67  R (50+58+46)/3 = 51.33  S 40.67
    #   normalised  P (50+70+70)/3 = 63.33  Q (50+70+30)/3 = 50     R (50+30+70)/3 = 50     S 36.67
    # Q had B's top mark and C's bottom one; R the opposite: once harshness is removed they tie.
    totals = {
        "A": [("P", 50.0), ("Q", 50.0), ("R", 50.0), ("S", 50.0)],
        "B": [("P", 82.0), ("Q", 82.0), ("R", 58.0), ("S", 58.0)],
        "C": [("P", 46.0), ("Q", 14.0), ("R", 46.0), ("S", 14.0)],
    }
    result = normalise(totals)
    assert (result.call_mean, result.call_sd) == (50.0, 20.0)
    assert result.flagged == frozenset()
    assert result.totals == {
        "A": {"P": 50.0, "Q": 50.0, "R": 50.0, "S": 50.0},
        "B": {"P": 70.0, "Q": 70.0, "R": 30.0, "S": 30.0},
        "C": {"P": 70.0, "Q": 30.0, "R": 70.0, "S": 30.0},
    }
    means = result.means()
    assert means == pytest.approx({"P": 190 / 3, "Q": 50.0, "R": 50.0, "S": 110 / 3})


def test_reviewers_with_fewer_than_three_reviews_are_flagged_and_left_raw():
    totals = {
        "A": [("P", 40.0), ("Q", 60.0), ("R", 80.0)],  # μ 60, sd √(800/3) = 16.33
        "D": [("P", 10.0), ("Q", 20.0)],  # two reviews only
    }
    result = normalise(totals, call_mean=50.0, call_sd=10.0)
    assert result.flagged == frozenset({"D"})
    assert result.totals["D"] == {"P": 10.0, "Q": 20.0}
    z = 20 / (800 / 3) ** 0.5  # (80 - 60) / sd = 1.2247
    assert result.totals["A"] == pytest.approx({"P": 50 - 10 * z, "Q": 50.0, "R": 50 + 10 * z})


def test_normalised_totals_stay_on_the_scale():
    result = normalise({"A": [("P", 0.0), ("Q", 0.0), ("R", 100.0)]}, call_mean=90.0, call_sd=20.0)
    # z for R is +√2 → 90 + 28.3 → clipped to 100
    assert result.totals["A"]["R"] == 100.0


def test_percentile_within_the_call():
    assert percentile({"P": 80.0, "Q": 60.0, "R": 60.0, "S": 20.0, "T": None}) == {
        "P": 100.0,  # 4 of 4 at or below
        "Q": 75.0,  # 3 of 4 (ties share the rank)
        "R": 75.0,
        "S": 25.0,
        "T": None,
    }
