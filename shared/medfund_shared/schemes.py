"""The insurance schemes (险种类型 ``insutype``) by their NHSA codes, written once for every service."""

from __future__ import annotations

RESIDENT_SCHEME = "390"
"""城乡居民基本医疗保险: a yearly premium per person, paid through the tax bureau."""
EMPLOYEE_SCHEME = "310"
"""职工基本医疗保险: monthly contributions declared by employers or paid by flexible workers."""
