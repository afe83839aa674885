"""The county's population: seed 004's category mix scaled exactly, realistic households, tiers."""

from collections import Counter
from statistics import mean

import pytest

from medfund_cli.demo.population import apportion, category_counts, generate, persons
from medfund_cli.demo.scenario import POPULATION_MIX, REAL_POPULATION, Scenario

ORDINARY = {"adult", "minor", "student"}


def test_apportion_is_exact_and_proportional():
    counts = apportion(2_000, POPULATION_MIX)
    assert sum(counts.values()) == 2_000
    assert counts == {"ordinary": 1840, "dibao": 93, "disabled": 33, "tekun": 5, "entitled": 9, "family_planning": 20}


def test_full_scale_mix_is_seed_004():
    counts = category_counts(Scenario(scale=REAL_POPULATION))
    assert counts["dibao"] == 21_494 and counts["tekun"] == 1_231 and counts["entitled"] == 1_990
    assert counts["family_planning"] == 4_634 and counts["ordinary"] == 424_886
    assert counts["disabled_severe"] + counts["disabled_moderate"] == 7_608


@pytest.mark.parametrize("scale", [1, 7, 2_000, 20_000])
def test_generated_categories_match_the_scaled_mix(scale):
    scenario = Scenario(scale=scale)
    people = persons(generate(scenario))
    assert len(people) == scale
    found = Counter(p.category for p in people)
    expected = category_counts(scenario)
    ordinary = expected.pop("ordinary")
    assert sum(found[c] for c in ORDINARY) == ordinary
    for category, count in expected.items():
        assert found[category] == count, category


def test_ordinary_categories_follow_age():
    scenario = Scenario(scale=5_000)
    day = scenario.calendar.year_starts
    for person in persons(generate(scenario)):
        if person.category == "minor":
            assert person.age_on(day) < 18
        if person.category == "student":
            assert 18 <= person.age_on(day) <= 22
        if person.category == "adult":
            assert person.age_on(day) >= 18


def test_households_have_realistic_sizes_one_tier_and_a_date_in_the_window():
    scenario = Scenario(scale=20_000)
    households = generate(scenario)
    sizes = [len(h.members) for h in households]
    assert 2.7 < mean(sizes) < 3.3
    assert max(sizes) <= 6 and min(sizes) >= 1
    tier2 = sum(h.tier == "tier2" for h in households) / len(households)
    assert abs(tier2 - scenario.tier2_share) < 0.02
    for household in households:
        assert scenario.calendar.window_opens <= household.enrolled_on <= scenario.calendar.window_closes
        assert all(p.brdy < household.enrolled_on for p in household.members)


def test_generation_is_deterministic_for_a_seed():
    first = [p.certno for p in persons(generate(Scenario(scale=500, seed=7)))]
    assert first == [p.certno for p in persons(generate(Scenario(scale=500, seed=7)))]
    assert first != [p.certno for p in persons(generate(Scenario(scale=500, seed=8)))]
