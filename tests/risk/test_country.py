from arguard.risk import store
from arguard.risk.country import UNCLASSIFIED_AS, UNKNOWN_AS, load_oecd_table

OECD = "nb,iso3,country,previous,current_prevailing,notes\n1,AFG,Afghanistan,7,7,\n2,DEU,Germany,-,-,(6)\n3,XKV,Kosovo,7,7,\n"
ISO = "\ufeffEnglish short name,Alpha-2,Alpha-3,Numeric\nAfghanistan,AF,AFG,4\nGermany,DE,DEU,276\n"


def test_classes_unclassified_and_unknown_are_deliberate() -> None:
    table = load_oecd_table(OECD, ISO)
    assert table.risk_of("af").treated_as == 7
    de = table.risk_of("DE")
    assert de.oecd_class is None and de.treated_as == UNCLASSIFIED_AS and "not classified" in de.basis
    assert table.risk_of("XK").treated_as == 7
    zz = table.risk_of("ZZ")
    assert zz.treated_as == UNKNOWN_AS and "not in the OECD table" in zz.basis


def test_shipped_table() -> None:
    table = store.country_table()
    assert len(table.classes) == 201
    assert table.risk_of("CN").oecd_class == 2
    assert sum(v is None for v in table.classes.values()) == 64
