"""The console's names table: every fund a pack names has its pack's Chinese name and an English one; every region
a pack covers has both names."""


from medfund_ledger.adapters.names import names
from medfund_shared.policy.pack_set import PackSet


def test_every_fund_and_region_of_the_packs_is_named_in_both_languages():
    table = names()
    for pack in PackSet.load():
        assert set(table["regions"][pack.admdvs]) == {"zh", "en"}
        for fund in (pack.funds.pooled, pack.funds.catastrophic, pack.funds.assistance,
                     pack.funds.individual_account, pack.funds.risk_reserve):
            if fund is not None:
                assert table["funds"][fund.code] == {"zh": fund.name, "en": table["funds"][fund.code]["en"]}
                assert table["funds"][fund.code]["en"]


def test_the_pooled_resident_fund_reads_as_in_the_packs():
    assert names()["funds"]["390100"]["zh"] == "城乡居民基本医疗保险基金"
    assert names()["regions"]["500240"]["zh"] == "重庆市石柱土家族自治县"
