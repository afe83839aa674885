"""The bars of issue 24 and the simulation's: each figure is met or not met by hand-checked values."""

from medfund_bench import __main__ as bench
from medfund_bench import bars
from medfund_bench.feed import FeedResult, Sample


def test_an_at_most_bar_is_met_at_its_limit_and_not_above():
    assert bars.P99_AT_FIXED_RATE.verdict(10) == bars.MET
    assert bars.P99_AT_FIXED_RATE.verdict(10.4) == bars.NOT_MET
    assert bars.ALERT_P50.verdict(0.17) == bars.MET
    assert bars.ALERT_P50.verdict(0.21) == bars.NOT_MET


def test_an_at_least_bar_is_met_at_its_limit_and_not_below():
    assert bars.SATURATION.verdict(1000) == bars.MET
    assert bars.SATURATION.verdict(999.9) == bars.NOT_MET
    assert bars.CATCH_UP.verdict(20_000) == bars.MET
    assert bars.CATCH_UP.verdict(2_793) == bars.NOT_MET


def test_a_figure_within_its_bar_is_not_met_when_its_condition_fails():
    assert bars.REBUILD_PER_MILLION.verdict(40, also=False) == bars.NOT_MET
    assert bars.SATURATION.verdict(1500, also=False) == bars.NOT_MET


def test_the_feed_and_simulation_bars_scale_with_a_shorter_run():
    assert bars.feed_bar(1_000_000).limit == 60
    assert bars.feed_bar(20_000).limit == 1.2
    assert bars.simulation_bar(1_000_000).limit == 120
    assert bars.simulation_bar(250_000).limit == 30


def test_the_rebuild_row_is_seconds_per_million_and_needs_equal():
    class Compared:
        equal = True

        def summary(self) -> str:
            return "EQUAL"

    class Rebuilt:
        comparison = Compared()
        events = 1_000_000
        replayed = 1_000_000
        seconds = 40.0
        rate = 25_000.0

    row, per_second = bench.rebuild_rows(Rebuilt(), kafka_consume=50_000, live_caught_up=True)
    assert (row.ours, row.verdict, row.ratio) == ("40 s", bars.MET, "0.500")
    assert per_second.ours == "25000 events/s"
    Rebuilt.comparison.equal = False
    assert bench.rebuild_rows(Rebuilt(), 50_000, True)[0].verdict == bars.NOT_MET


def test_the_feed_is_met_only_finished_whole_within_its_bar():
    samples = [bench_sample(0, 0, 0), bench_sample(10, 20_000, 0), bench_sample(11, 20_000, 20_000)]
    feed = FeedResult(lines=20_000, status={"accepted": 20_000}, done=0.9, published=1.1, ledger_started=10.0,
                      caught_up=11.0, events=20_000, samples=samples)

    published, per_second, _memory, catch_up = bench.feed_rows(feed, 20_000, copy_rate=100_000, kafka_consume=40_000)

    assert (published.ours, published.target, published.verdict) == ("1.1 s", "≤ 1.2 s for 20,000 lines", bars.MET)
    assert published.ratio == "0.182"  # 20,000 / 1.1 s = 18,182 records/s of 100,000 rows/s
    assert per_second.ours == "18182 records/s"
    # 20,000 applied in the 1 s since the ledger started
    assert (catch_up.ours, catch_up.verdict) == ("20000 events/s", bars.MET)
    feed.status["accepted"] = 19_999
    assert bench.feed_rows(feed, 20_000, 100_000, 40_000)[0].verdict == bars.NOT_MET


def bench_sample(seconds: float, published: int, applied: int) -> Sample:
    return Sample(seconds=seconds, rss_kib=100_000, published=published, applied=applied)
