"""The insurance schemes (险种类型 ``insutype``) and the appropriated funds (``fund_pay_type``) by their NHSA codes,
written once for every service."""

from __future__ import annotations

RESIDENT_SCHEME = "390"
"""城乡居民基本医疗保险: a yearly premium per person, paid through the tax bureau."""
EMPLOYEE_SCHEME = "310"
"""职工基本医疗保险: monthly contributions declared by employers or paid by flexible workers."""
SCHEMES = (RESIDENT_SCHEME, EMPLOYEE_SCHEME)
"""Every scheme a person can be enrolled in."""

MEDICAL_ASSISTANCE_FUND = "610100"
"""医疗救助基金 (a ``fund_pay_type``): civil affairs' and finance's appropriations for medical assistance."""
RISK_RESERVE_FUND = "999901"
"""风险调剂金 (a ``fund_pay_type``): the risk-adjustment reserve."""
APPROPRIATED_FUNDS = frozenset({MEDICAL_ASSISTANCE_FUND, RISK_RESERVE_FUND})
"""The funds an appropriation may be for."""
