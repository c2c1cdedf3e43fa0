"""Buyer names as companies write them and as banks print them. Pure: word lists and a `Random`.

A name is a core (surname, place or brand + trade) plus a legal form of the country (GmbH, S.r.l.,
有限公司, Pte. Ltd. …). Aliases are what turns up on bank statements: the name upper-cased, folded to
ASCII (Müller → MUELLER), cut at 35 characters like a SWIFT line; Chinese names also in their romanised
English form (浙江华通纺织有限公司 → ZHEJIANG HUATONG TEXTILE CO., LTD.).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from random import Random

# Trade words per sector: English, German, French, Italian, Spanish, Portuguese, Dutch, Chinese.
_TRADE: dict[str, tuple[str, str, str, str, str, str, str, str]] = {
    "A01": ("Agri", "Agrar", "Agricole", "Agricola", "Agrícola", "Agrícola", "Agro", "农业"),
    "B08": ("Minerals", "Steinbruch", "Carrières", "Cave", "Canteras", "Mineração", "Delfstoffen", "矿业"),
    "C10": ("Foods", "Feinkost", "Alimentaire", "Alimentari", "Alimentos", "Alimentos", "Voeding", "食品"),
    "C13": ("Textiles", "Textil", "Textiles", "Tessile", "Textil", "Têxtil", "Textiel", "纺织"),
    "C20": ("Chemicals", "Chemie", "Chimie", "Chimica", "Química", "Química", "Chemie", "化工"),
    "C22": ("Plastics", "Kunststofftechnik", "Plasturgie", "Plastica", "Plásticos", "Plásticos", "Kunststoffen",
            "塑料"),
    "C25": ("Metalworks", "Metallbau", "Métallerie", "Metalli", "Metalúrgica", "Metalurgia", "Metaalbouw", "五金"),
    "C26": ("Electronics", "Elektronik", "Électronique", "Elettronica", "Electrónica", "Eletrônica",
            "Elektronica", "电子"),
    "C27": ("Electric", "Elektrotechnik", "Électrique", "Elettrica", "Eléctrica", "Elétrica", "Elektrotechniek",
            "电气"),
    "C28": ("Machinery", "Maschinenbau", "Machines", "Meccanica", "Maquinaria", "Máquinas", "Machinebouw", "机械"),
    "C29": ("Auto Parts", "Fahrzeugteile", "Équipements Auto", "Componenti Auto", "Autopartes", "Autopeças",
            "Autodelen", "汽车配件"),
    "D35": ("Energy", "Energie", "Énergie", "Energia", "Energía", "Energia", "Energie", "能源"),
    "F41": ("Construction", "Bau", "Construction", "Costruzioni", "Construcciones", "Construtora", "Bouw",
            "建筑工程"),
    "F43": ("Building Services", "Haustechnik", "Bâtiment", "Impianti", "Instalaciones", "Instalações",
            "Installatietechniek", "安装工程"),
    "G46": ("Trading", "Handel", "Négoce", "Commerciale", "Comercial", "Comércio", "Handel", "贸易"),
    "G47": ("Retail", "Handelshaus", "Distribution", "Distribuzione", "Distribución", "Varejo", "Winkels", "商贸"),
    "H49": ("Transport", "Spedition", "Transports", "Trasporti", "Transportes", "Transportes", "Transport",
            "运输"),
    "H52": ("Logistics", "Logistik", "Logistique", "Logistica", "Logística", "Logística", "Logistiek", "物流"),
    "I55": ("Hotels", "Hotelbetriebe", "Hôtellerie", "Alberghi", "Hoteles", "Hotelaria", "Hotels", "酒店管理"),
    "J62": ("Software", "Software", "Informatique", "Informatica", "Informática", "Informática", "Software",
            "软件"),
    "M71": ("Engineering", "Ingenieurbüro", "Ingénierie", "Ingegneria", "Ingeniería", "Engenharia",
            "Ingenieursbureau", "工程设计"),
    "Q86": ("Medical", "Medizintechnik", "Médical", "Medicali", "Médica", "Médica", "Medisch", "医疗器械"),
}
_LANG_INDEX = {"en": 0, "de": 1, "fr": 2, "it": 3, "es": 4, "pt": 5, "nl": 6, "zh": 7}
_TRADE_EN_FROM_ZH = {"农业": "Agriculture", "矿业": "Mining", "五金": "Hardware", "商贸": "Commerce",
                     "运输": "Transportation", "安装工程": "Installation Engineering", "酒店管理": "Hotel Management",
                     "工程设计": "Engineering Design", "医疗器械": "Medical Devices", "建筑工程": "Construction Engineering",
                     "汽车配件": "Auto Parts", "软件": "Software"}


@dataclass(frozen=True, slots=True)
class Style:
    lang: str
    surnames: tuple[str, ...]
    forms: tuple[str, ...]
    country_word: str = ""
    prefix_form: bool = False


def _w(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


STYLES: dict[str, Style] = {
    "de": Style("de", _w("Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Koch|"
                         "Bauer|Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|Hofmann|"
                         "Hartmann|Lange|Werner|Krause|Lehmann|Köhler|Rheinland|Bodensee|Allgäu|Nordwest"),
                _w("GmbH|GmbH|GmbH|GmbH & Co. KG|AG|KG|e.K.|UG (haftungsbeschränkt)"), "Deutschland"),
    "fr": Style("fr", _w("Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|Laurent|"
                         "Lefebvre|Michel|Garcia|David|Bertrand|Roux|Vincent|Fournier|Atlantique|Rhône|Provence"),
                _w("SAS|SAS|SARL|S.A.|SA|SNC"), "France"),
    "it": Style("it", _w("Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci|Marino|Greco|Bruno|Gallo|"
                         "Conti|De Luca|Mancini|Costa|Giordano|Rizzo|Lombardi|Moretti|Adriatica|Padana|Tirrena"),
                _w("S.r.l.|S.r.l.|S.r.l.|S.p.A.|S.n.c.|S.a.s."), "Italia"),
    "es": Style("es", _w("García|Fernández|González|Rodríguez|López|Martínez|Sánchez|Pérez|Gómez|Martín|"
                         "Jiménez|Ruiz|Hernández|Díaz|Moreno|Álvarez|Levante|Ibérica|Cantábrica"),
                _w("S.L.|S.L.|S.L.|S.A.|S.L.U."), "España"),
    "es_mx": Style("es", _w("Hernández|García|Martínez|López|González|Pérez|Rodríguez|Sánchez|Ramírez|Cruz|"
                            "Flores|Gómez|Morales|Vázquez|Reyes|Jiménez|Torres|Andina|Pacífico|Azteca|Austral"),
                   _w("S.A. de C.V.|S.A. de C.V.|S. de R.L. de C.V.|S.A.|SpA"), "Latam"),
    "pt": Style("pt", _w("Silva|Santos|Ferreira|Pereira|Oliveira|Costa|Rodrigues|Martins|Jesus|Sousa|Fernandes|"
                         "Gonçalves|Gomes|Lopes|Marques|Alves|Lusitana|Douro|Minho"),
                _w("Lda.|Lda.|Unipessoal Lda.|S.A."), "Portugal"),
    "br": Style("pt", _w("Silva|Santos|Oliveira|Souza|Rodrigues|Ferreira|Alves|Pereira|Lima|Gomes|Costa|"
                         "Ribeiro|Martins|Carvalho|Almeida|Paulista|Mineira|Gaúcha|Nordeste|Amazônia"),
                _w("Ltda.|Ltda.|Ltda.|S.A.|Eireli ME"), "Brasil"),
    "nl": Style("nl", _w("de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Janssen|Visser|Smit|Meijer|"
                         "de Boer|Mulder|de Groot|Bos|Vos|Peters|Hendriks|Peeters|Maes|Jacobs|Noordzee|Holland"),
                _w("B.V.|B.V.|B.V.|N.V.|BV|NV"), "Benelux"),
    "en_gb": Style("en", _w("Smith|Jones|Williams|Taylor|Brown|Davies|Evans|Wilson|Thomas|Johnson|Roberts|"
                            "Walker|Wright|Thompson|White|Hughes|Edwards|Green|Hall|Pennine|Thames|Mercia|"
                            "Caledonian|Albion|Severn"), _w("Ltd|Ltd|Limited|Ltd.|PLC|LLP"), "UK"),
    "en_us": Style("en", _w("Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Wilson|Anderson|Taylor|Moore|"
                            "Jackson|Martin|Lee|Thompson|White|Harris|Clark|Lewis|Walker|Great Lakes|Pacific|"
                            "Midwest|Liberty|Keystone|Lone Star|Cascade|Summit"),
                   _w("Inc.|Inc.|LLC|LLC|Corp.|Co.|Corporation"), "USA"),
    "en_za": Style("en", _w("Botha|van der Merwe|Naidoo|Pillay|Nkosi|Dlamini|Smith|Fourie|Pretorius|Cape|"
                            "Highveld|Karoo|Zulu|Mokoena"), _w("(Pty) Ltd|(Pty) Ltd|Ltd"), "SA"),
    "en_au": Style("en", _w("Smith|Jones|Williams|Brown|Wilson|Taylor|Nguyen|Anderson|Thompson|Harris|"
                            "Southern Cross|Outback|Coral|Tasman|Murray|Kiwi|Pacific"),
                   _w("Pty Ltd|Pty Ltd|Pty. Ltd.|Limited|Ltd"), "Australasia"),
    "gr": Style("en", _w("Papadopoulos|Pappas|Georgiou|Oikonomou|Nikolaou|Dimitriou|Vlachos|Makris|Aegean|"
                         "Hellenic|Olympic|Ionian"), _w("S.A.|A.E.|E.P.E.|I.K.E."), "Hellas"),
    "se": Style("en", _w("Andersson|Johansson|Karlsson|Nilsson|Eriksson|Larsson|Olsson|Persson|Svensson|"
                         "Gustafsson|Norrland|Skåne|Göta"), _w("AB|AB|AB|HB"), "Sverige"),
    "dk": Style("en", _w("Nielsen|Jensen|Hansen|Pedersen|Andersen|Christensen|Larsen|Sørensen|Rasmussen|"
                         "Johansen|Olsen|Berg|Fjord|Nordic|Jylland"), _w("A/S|ApS|AS|ApS"), "Nordic"),
    "fi": Style("en", _w("Korhonen|Virtanen|Mäkinen|Nieminen|Mäkelä|Hämäläinen|Laine|Heikkinen|Koskinen|"
                         "Järvinen|Suomen|Lapin|Saimaa"), _w("Oy|Oy|Oyj|Ab"), "Suomi"),
    "pl": Style("en", _w("Nowak|Kowalski|Wiśniewski|Wójcik|Kowalczyk|Kamiński|Lewandowski|Zieliński|"
                         "Szymański|Woźniak|Dąbrowski|Mazowsze|Polmet|Śląsk|Pomorze"),
                _w("Sp. z o.o.|Sp. z o.o.|Sp. z o.o.|S.A.|Sp.j."), "Polska"),
    "cz": Style("en", _w("Novák|Svoboda|Novotný|Dvořák|Černý|Procházka|Kučera|Veselý|Horák|Morava|Bohemia|"
                         "Vltava"), _w("s.r.o.|s.r.o.|a.s.|spol. s r.o."), "CZ"),
    "hu": Style("en", _w("Nagy|Kovács|Tóth|Szabó|Horváth|Varga|Kiss|Molnár|Németh|Farkas|Duna|Tisza|"
                         "Pannon|Balaton"), _w("Kft.|Kft.|Zrt.|Bt.|Nyrt."), "Hungary"),
    "ro": Style("en", _w("Popescu|Ionescu|Popa|Pop|Radu|Dumitru|Stan|Stoica|Gheorghe|Matei|Carpați|Dunărea|"
                         "Transilvania"), _w("S.R.L.|S.R.L.|S.A."), "Romania"),
    "tr": Style("en", _w("Yılmaz|Kaya|Demir|Şahin|Çelik|Yıldız|Yıldırım|Öztürk|Aydın|Özdemir|Arslan|Doğan|"
                         "Anadolu|Ege|Marmara|Karadeniz|Boğaziçi"),
                _w("A.Ş.|A.Ş.|Ltd. Şti.|San. ve Tic. A.Ş.|San. ve Tic. Ltd. Şti."), "Türkiye"),
    "ja": Style("en", _w("Sato|Suzuki|Takahashi|Tanaka|Watanabe|Ito|Yamamoto|Nakamura|Kobayashi|Kato|"
                         "Yoshida|Yamada|Sasaki|Matsumoto|Nippon|Tokai|Kansai|Kyushu|Hokuriku"),
                _w("Co., Ltd.|Co., Ltd.|Corporation|K.K.|Industries Co., Ltd."), "Japan"),
    "ko": Style("en", _w("Kim|Lee|Park|Choi|Jung|Kang|Cho|Yoon|Jang|Lim|Hanil|Daesung|Samil|Hyosung|Dongbu"),
                _w("Co., Ltd.|Co., Ltd.|Corp.|Inc."), "Korea"),
    "in": Style("en", _w("Sharma|Patel|Singh|Kumar|Gupta|Shah|Mehta|Reddy|Iyer|Agarwal|Jain|Bharat|Deccan|"
                         "Ganga|Sahyadri|Vishwa|Shree Ganesh"), _w("Pvt. Ltd.|Pvt. Ltd.|Private Limited|Ltd.|LLP"),
                "India"),
    "vn": Style("en", _w("Nguyen|Tran|Le|Pham|Hoang|Phan|Vu|Dang|Bui|Saigon|Hanoi|Mekong|Hong Ha|Viet Phat"),
                _w("Co., Ltd|Co., Ltd|Joint Stock Company|JSC"), "Vietnam"),
    "th": Style("en", _w("Siam|Thai Union|Chao Phraya|Bangkok|Sukhumvit|Rattana|Srisuk|Chaiyaporn|Wongsawat|"
                         "Charoen"), _w("Co., Ltd.|Co., Ltd.|Public Company Limited"), "Thailand"),
    "my": Style("en", _w("Tan|Lim|Lee|Wong|Abdullah|Rahman|Ismail|Muthu|Malaya|Borneo|Johor|Perak|Klang|"
                         "Selangor"), _w("Sdn. Bhd.|Sdn. Bhd.|Sdn Bhd|Berhad"), "Malaysia"),
    "id": Style("en", _w("Sinar|Mitra|Maju|Jaya|Sentosa|Nusantara|Bintang|Cahaya|Abadi|Makmur|Sejahtera|"
                         "Karya|Indah|Prima"), _w("PT|PT|PT|CV"), "Indonesia", prefix_form=True),
    "ae": Style("en", _w("Al Futtaim|Al Habtoor|Al Rashid|Al Mansoori|Al Qahtani|Al Otaibi|Al Zahrani|"
                         "Al Harbi|Gulf|Emirates|Arabian|Desert Rose|Falcon|Al Noor|Najd"),
                _w("L.L.C.|L.L.C.|FZE|FZCO|Trading Est.|Co."), "Gulf"),
    "eg": Style("en", _w("Mansour|Hassan|Mahmoud|Ibrahim|Nile|Delta|Pharaonic|Alexandria|Sinai|El Sewedy"),
                _w("S.A.E.|S.A.E.|L.L.C."), "Egypt"),
    "zh_cn": Style("zh", (), _w("有限公司|有限公司|有限公司|有限责任公司|股份有限公司")),
    "zh_hk": Style("zh", (), _w("Limited|Limited|Company Limited|Holdings Limited"), "(HK)"),
    "zh_tw": Style("zh", (), _w("Co., Ltd.|Co., Ltd.|Corp.|Industrial Co., Ltd."), "(Taiwan)"),
    "zh_sg": Style("zh", (), _w("Pte. Ltd.|Pte. Ltd.|Pte Ltd|Private Limited"), "(S)"),
}

# Chinese place and brand syllables, each with its romanisation.
_ZH_PLACES = (("浙江", "Zhejiang"), ("江苏", "Jiangsu"), ("广东", "Guangdong"), ("上海", "Shanghai"),
              ("深圳", "Shenzhen"), ("宁波", "Ningbo"), ("青岛", "Qingdao"), ("厦门", "Xiamen"), ("苏州", "Suzhou"),
              ("东莞", "Dongguan"), ("佛山", "Foshan"), ("天津", "Tianjin"), ("北京", "Beijing"), ("武汉", "Wuhan"),
              ("成都", "Chengdu"), ("温州", "Wenzhou"), ("义乌", "Yiwu"), ("无锡", "Wuxi"), ("福建", "Fujian"),
              ("山东", "Shandong"))
_ZH_BRAND = (("华", "Hua"), ("通", "Tong"), ("鑫", "Xin"), ("泰", "Tai"), ("盛", "Sheng"), ("达", "Da"),
             ("恒", "Heng"), ("远", "Yuan"), ("宏", "Hong"), ("瑞", "Rui"), ("博", "Bo"), ("海", "Hai"),
             ("金", "Jin"), ("宇", "Yu"), ("永", "Yong"), ("昌", "Chang"), ("伟", "Wei"), ("安", "An"),
             ("嘉", "Jia"), ("德", "De"), ("利", "Li"), ("丰", "Feng"), ("明", "Ming"), ("星", "Xing"),
             ("光", "Guang"), ("天", "Tian"), ("龙", "Long"), ("凯", "Kai"), ("中", "Zhong"), ("联", "Lian"))
_ZH_FORM_EN = {"有限公司": "CO., LTD.", "有限责任公司": "CO., LTD.", "股份有限公司": "CO., LTD."}
_EN_PREFIX = _w("Euro|Inter|Global|Trans|Nord|Pro|Tech|Alpha|Omega|Delta|Atlas|Orion|Vega|Apex|Nova")


@dataclass(frozen=True, slots=True)
class BuyerName:
    """name: the legal name; core: the name without legal form (a subsidiary reuses it);
    aliases: bank-statement spellings and, for Chinese names, the English form."""

    name: str
    core: str
    aliases: tuple[str, ...]
    slug: str
    latin_core: str = ""
    """the core in Latin letters without a country word (what a foreign subsidiary is named after)"""


def bank_form(text: str, width: int = 35) -> str:
    """How a bank prints a name: ASCII upper case, German umlauts spelled out, at most `width` chars."""
    text = text.replace("ß", "ss").replace("Ä", "Ae").replace("Ö", "Oe").replace("Ü", "Ue")
    text = text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ı", "i").replace("ş", "s")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    folded = re.sub(r"[^A-Za-z0-9&/.,() -]+", " ", folded)
    return re.sub(r"\s+", " ", folded).strip().upper()[:width].rstrip()


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", bank_form(text, 200).lower())[:24] or "buyer"


def _trade(sector: str, lang: str) -> str:
    return _TRADE[sector][_LANG_INDEX.get(lang, 0)]


def _chinese(style_key: str, sector: str, rng: Random) -> BuyerName:
    style = STYLES[style_key]
    (p_zh, p_en), (b1, e1), (b2, e2) = rng.choice(_ZH_PLACES), rng.choice(_ZH_BRAND), rng.choice(_ZH_BRAND)
    trade_zh = _trade(sector, "zh")
    trade_en = _TRADE_EN_FROM_ZH.get(trade_zh, _trade(sector, "en"))
    brand_en = e1 + e2.lower()
    form = rng.choice(style.forms)
    if style_key == "zh_cn":
        core = f"{p_zh}{b1}{b2}{trade_zh}"
        name = core + form
        english = f"{p_en} {brand_en} {trade_en} {_ZH_FORM_EN[form]}".upper()
        return BuyerName(name, core, (english, bank_form(english)), slugify(brand_en + trade_en),
                         f"{brand_en} {trade_en}")
    core = f"{brand_en} {trade_en} {style.country_word}"
    name = f"{core} {form}"
    return BuyerName(name, core, (f"{b1}{b2}{trade_zh}有限公司", bank_form(name)), slugify(brand_en + trade_en),
                     f"{brand_en} {trade_en}")


def buyer_name(style_key: str, sector: str, rng: Random) -> BuyerName:
    """A plausible company name of the style's country for a buyer in `sector`."""
    if style_key.startswith("zh"):
        return _chinese(style_key, sector, rng)
    style = STYLES[style_key]
    trade = _trade(sector, style.lang)
    surname = rng.choice(style.surnames)
    pattern = rng.random()
    if pattern < 0.55:
        core = f"{surname} {trade}"
    elif pattern < 0.75:
        other = rng.choice([s for s in style.surnames if s != surname])
        core = f"{surname} & {other}"
    elif pattern < 0.9:
        core = f"{rng.choice(_EN_PREFIX)}{trade.lower().replace(' ', '')}"
    else:
        core = f"{surname} {trade} {rng.choice(('Group', 'International', 'Europe', 'Solutions'))}"
    form = rng.choice(style.forms)
    name = f"{form} {core}" if style.prefix_form else f"{core} {form}"
    return BuyerName(name, core, (bank_form(name),), slugify(core), core)


def subsidiary_name(parent: BuyerName, style_key: str, rng: Random) -> BuyerName:
    """A group company abroad: the parent's name, the country's word and its legal form."""
    style = STYLES[style_key]
    form = rng.choice(style.forms)
    latin = parent.latin_core or parent.core
    if style_key == "zh_cn":
        core = f"{latin}（中国）"
        return BuyerName(core + form, core, (bank_form(f"{latin} (China) Co., Ltd."),), parent.slug, latin)
    core = f"{latin} {style.country_word}".strip()
    name = f"{form} {core}" if style.prefix_form else f"{core} {form}"
    return BuyerName(name, core, (bank_form(name),), parent.slug, latin)


_AP_MAILBOX = {"de": "buchhaltung", "fr": "comptabilite", "it": "amministrazione", "es": "contabilidad",
               "pt": "financeiro", "nl": "crediteuren", "zh": "finance"}


def email_for(name: BuyerName, style_key: str, tld: str, rng: Random) -> str:
    box = _AP_MAILBOX.get(STYLES[style_key].lang, rng.choice(("ap", "accounts.payable", "invoices", "finance")))
    return f"{box}@{name.slug}.{tld}"
