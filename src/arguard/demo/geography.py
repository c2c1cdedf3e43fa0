"""Where demo buyers are and what they do: countries weighted like a European exporter's book, NACE
sectors, currencies, payment habits. Pure data; the numbers are plausible, not statistics.

Country columns: weight in the book; invoicing currency; document language; name style (see
`names.py`); culture_days — how many days beyond terms buyers there habitually pay, whatever their
risk (southern Europe, Latin America and the Gulf pay later than the Nordics, Germany or Japan);
risk — multiplier on the hidden probability of default (country and transfer risk).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    weight: float
    currency: str
    language: str
    style: str
    culture_days: float
    risk: float
    tld: str


def _c(code: str, weight: float, currency: str, style: str, culture: float, risk: float, tld: str,
       language: str = "en") -> Country:
    return Country(code, weight, currency, language, style, culture, risk, tld)


COUNTRIES: tuple[Country, ...] = (
    _c("DE", 12.0, "EUR", "de", 6, 0.8, "de"),
    _c("FR", 7.0, "EUR", "fr", 14, 1.0, "fr"),
    _c("IT", 6.0, "EUR", "it", 30, 1.3, "it"),
    _c("ES", 5.0, "EUR", "es", 22, 1.2, "es"),
    _c("NL", 4.0, "EUR", "nl", 5, 0.8, "nl"),
    _c("BE", 2.5, "EUR", "nl", 12, 0.9, "be"),
    _c("AT", 2.5, "EUR", "de", 6, 0.8, "at"),
    _c("CH", 3.0, "CHF", "de", 4, 0.6, "ch"),
    _c("GB", 6.0, "GBP", "en_gb", 12, 1.0, "co.uk"),
    _c("IE", 1.0, "EUR", "en_gb", 10, 0.9, "ie"),
    _c("PT", 1.5, "EUR", "pt", 25, 1.2, "pt"),
    _c("GR", 0.8, "EUR", "gr", 35, 1.6, "gr"),
    _c("SE", 2.0, "EUR", "se", 3, 0.7, "se"),
    _c("DK", 1.5, "EUR", "dk", 3, 0.7, "dk"),
    _c("FI", 1.0, "EUR", "fi", 4, 0.7, "fi"),
    _c("NO", 1.0, "EUR", "dk", 3, 0.6, "no"),
    _c("PL", 3.0, "EUR", "pl", 12, 1.1, "pl"),
    _c("CZ", 1.5, "EUR", "cz", 10, 1.0, "cz"),
    _c("HU", 1.0, "EUR", "hu", 14, 1.2, "hu"),
    _c("RO", 1.0, "EUR", "ro", 20, 1.4, "ro"),
    _c("TR", 2.0, "EUR", "tr", 20, 2.0, "com.tr"),
    _c("US", 10.0, "USD", "en_us", 9, 1.0, "com"),
    _c("CA", 1.5, "USD", "en_us", 8, 0.9, "ca"),
    _c("MX", 1.5, "USD", "es_mx", 25, 1.6, "com.mx"),
    _c("BR", 2.0, "USD", "br", 30, 1.8, "com.br"),
    _c("CL", 0.7, "USD", "es_mx", 20, 1.3, "cl"),
    _c("AR", 0.5, "USD", "es_mx", 35, 3.0, "com.ar"),
    _c("CN", 5.0, "CNY", "zh_cn", 15, 1.3, "com.cn", "zh-CN"),
    _c("HK", 1.5, "USD", "zh_hk", 10, 1.0, "com.hk", "zh-CN"),
    _c("TW", 1.0, "USD", "zh_tw", 8, 0.9, "com.tw", "zh-CN"),
    _c("SG", 1.0, "USD", "zh_sg", 8, 0.7, "com.sg", "zh-CN"),
    _c("JP", 2.0, "JPY", "ja", 4, 0.7, "co.jp"),
    _c("KR", 1.2, "USD", "ko", 8, 0.9, "co.kr"),
    _c("IN", 2.0, "USD", "in", 28, 1.5, "co.in"),
    _c("VN", 0.8, "USD", "vn", 20, 1.6, "vn"),
    _c("TH", 0.7, "USD", "th", 18, 1.4, "co.th"),
    _c("MY", 0.7, "USD", "my", 15, 1.2, "com.my"),
    _c("ID", 0.7, "USD", "id", 22, 1.6, "co.id"),
    _c("AE", 1.2, "USD", "ae", 25, 1.2, "ae"),
    _c("SA", 1.0, "USD", "ae", 35, 1.3, "com.sa"),
    _c("IL", 0.6, "USD", "en_us", 15, 1.2, "co.il"),
    _c("ZA", 0.8, "USD", "en_za", 20, 1.6, "co.za"),
    _c("AU", 1.2, "AUD", "en_au", 8, 0.8, "com.au"),
    _c("NZ", 0.4, "AUD", "en_au", 8, 0.8, "co.nz"),
    _c("EG", 0.4, "USD", "eg", 40, 2.5, "com.eg"),
)


@dataclass(frozen=True, slots=True)
class Sector:
    """A NACE Rev. 2 division: code = section letter + division number (the letter is the section)."""

    code: str
    label: str
    weight: float
    risk: float
    """multiplier on the hidden probability of default (cyclical, thin-margin sectors higher)"""
    terms: tuple[int, ...]
    """usual payment terms in days, the first the most common"""


SECTORS: tuple[Sector, ...] = (
    Sector("A01", "Crop and animal production", 2.0, 1.2, (30, 60)),
    Sector("B08", "Mining and quarrying", 1.0, 1.3, (60, 30, 90)),
    Sector("C10", "Food products", 5.0, 0.9, (30, 45, 60)),
    Sector("C13", "Textiles", 4.0, 1.3, (60, 90, 30)),
    Sector("C20", "Chemicals", 4.0, 0.8, (60, 30, 90)),
    Sector("C22", "Rubber and plastic products", 4.0, 1.0, (60, 30)),
    Sector("C25", "Fabricated metal products", 6.0, 1.1, (60, 30, 90)),
    Sector("C26", "Computer and electronic products", 5.0, 0.9, (30, 60)),
    Sector("C27", "Electrical equipment", 5.0, 0.9, (60, 30, 90)),
    Sector("C28", "Machinery and equipment", 8.0, 0.9, (60, 90, 30, 120)),
    Sector("C29", "Motor vehicles and parts", 5.0, 1.1, (60, 90)),
    Sector("D35", "Electricity and gas supply", 1.0, 0.6, (30, 60)),
    Sector("F41", "Construction of buildings", 4.0, 1.8, (60, 90, 120)),
    Sector("F43", "Specialised construction", 3.0, 1.7, (60, 30, 90)),
    Sector("G46", "Wholesale trade", 14.0, 1.1, (30, 60, 90)),
    Sector("G47", "Retail trade", 6.0, 1.4, (30, 60)),
    Sector("H49", "Land transport", 2.0, 1.4, (30, 45)),
    Sector("H52", "Warehousing and logistics", 2.0, 1.1, (30, 60)),
    Sector("I55", "Accommodation", 1.0, 1.7, (30,)),
    Sector("J62", "Computer programming", 2.0, 0.9, (30,)),
    Sector("M71", "Architecture and engineering", 2.0, 1.0, (30, 60)),
    Sector("Q86", "Human health", 3.0, 0.6, (60, 90, 120)),
)

# Rough EUR → currency rates for sizing amounts (the dated FX table of the demo drifts around these).
EUR_RATES: dict[str, str] = {"EUR": "1", "USD": "1.09", "GBP": "0.86", "CHF": "0.96", "CNY": "7.85",
                             "JPY": "160", "AUD": "1.65"}

COUNTRY_BY_CODE: dict[str, Country] = {c.code: c for c in COUNTRIES}
SECTOR_BY_CODE: dict[str, Sector] = {s.code: s for s in SECTORS}
