"""Plausible Chinese names for generated people (common surnames of the Shizhu area first)."""

from __future__ import annotations

import random

SURNAMES = ("谭", "马", "陈", "刘", "冉", "秦", "向", "黄", "李", "王", "张", "杨", "周", "徐", "崔", "余",
            "罗", "吴", "何", "胡", "邓", "汪", "隆", "彭")
GIVEN_MALE = "国华建明军德强平伟兵勇志成文超海林江涛福贵"
GIVEN_FEMALE = "秀英兰芳玉梅丽琴霞红燕萍翠敏静娟凤珍艳"


def surname(rng: random.Random) -> str:
    return rng.choice(SURNAMES)


def full_name(rng: random.Random, family: str, male: bool) -> str:
    """A family name plus one or two given-name characters."""
    pool = GIVEN_MALE if male else GIVEN_FEMALE
    return family + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))
