"""Reason labels in English and 中文: one stable code per reason, two texts (pure; no I/O).

Every reason a grade carries has a `code` (`Attr27`, `interest_cover`, `payment.days_beyond_terms`,
`country.oecd_class`, `sector.overlay`, `accounts.missing`, …). The English text is the reason's
`label`; the Chinese one is looked up here by code (`zh_label`), with the few details a label carries
(the OECD class, the sector, the threshold) filled in. `with_text` turns a stored reason (a dict, of
any age) into one with `text: {"en": …, "zh-CN": …}` for the API and the dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The 64 ratios of the Polish schema (ratios.py), by code.
RATIO_ZH: dict[str, str] = {
    "Attr1": "净利润/总资产", "Attr2": "总负债/总资产", "Attr3": "营运资本/总资产", "Attr4": "流动比率",
    "Attr5": "防御区间（天）", "Attr6": "留存收益/总资产", "Attr7": "息税前利润/总资产",
    "Attr8": "股东权益/总负债", "Attr9": "销售额/总资产", "Attr10": "股东权益/总资产",
    "Attr11": "（税前利润+非常项目+财务费用）/总资产", "Attr12": "税前利润/短期负债",
    "Attr13": "（税前利润+折旧）/销售额", "Attr14": "（税前利润+利息）/总资产",
    "Attr15": "负债偿还天数", "Attr16": "（税前利润+折旧）/总负债", "Attr17": "总资产/总负债",
    "Attr18": "税前利润/总资产", "Attr19": "税前利润/销售额", "Attr20": "存货周转天数（按销售额）",
    "Attr21": "销售增长率", "Attr22": "经营利润/总资产", "Attr23": "净利润/销售额",
    "Attr24": "三年税前利润/总资产", "Attr25": "（股东权益−股本）/总资产",
    "Attr26": "（净利润+折旧）/总负债", "Attr27": "经营利润/财务费用", "Attr28": "营运资本/固定资产",
    "Attr29": "总资产对数", "Attr30": "（总负债−现金）/销售额", "Attr31": "（税前利润+利息）/销售额",
    "Attr32": "流动负债天数（按销售成本）", "Attr33": "经营费用/短期负债", "Attr34": "经营费用/总负债",
    "Attr35": "销售利润/总资产", "Attr36": "总销售额/总资产", "Attr37": "速动资产/长期负债",
    "Attr38": "长期资本/总资产", "Attr39": "销售利润率", "Attr40": "现金比率",
    "Attr41": "总负债/月经营现金流", "Attr42": "经营利润/销售额", "Attr43": "应收账款及存货周转天数",
    "Attr44": "应收账款周转天数", "Attr45": "净利润/存货", "Attr46": "速动比率",
    "Attr47": "存货周转天数（按销售成本）", "Attr48": "息税折旧摊销前利润/总资产",
    "Attr49": "息税折旧摊销前利润/销售额", "Attr50": "流动资产/总负债", "Attr51": "短期负债/总资产",
    "Attr52": "短期负债天数（按销售成本）", "Attr53": "股东权益/固定资产", "Attr54": "长期资本/固定资产",
    "Attr55": "营运资本（千）", "Attr56": "毛利率", "Attr57": "净流动资产/现金成本",
    "Attr58": "总成本/销售额", "Attr59": "长期负债/股东权益", "Attr60": "存货周转率",
    "Attr61": "应收账款周转率", "Attr62": "短期负债天数（按销售额）", "Attr63": "销售额/短期负债",
    "Attr64": "销售额/固定资产",
}

# The derived features (features.py), by code.
FEATURE_ZH: dict[str, str] = {
    "missing_ratios": "无法计算的比率（个数）", "net_profit_to_total_liabilities": "净利润/总负债",
    "working_capital_to_sales": "营运资本/销售额", "financial_expenses_to_total_assets": "财务费用/总资产",
    "financial_expenses_to_sales": "财务费用/销售额", "cash_to_total_assets": "现金及有价证券/总资产",
    "retained_earnings_to_equity": "留存收益/股东权益", "log_sales": "销售额对数（千）",
    "net_profit_to_sales": "净利润/销售额", "equity_minus_liabilities": "股东权益减负债（占总资产）",
    "inventory_to_short_term_liabilities": "存货/短期负债（负值）",
    "non_operating_result_to_total_assets": "息税前利润减经营利润（占总资产）",
    "sales_growth_x_margin": "销售增长率 × 销售利润率", "interest_cover": "利息保障倍数",
    "interest_to_total_liabilities": "利息/总负债", "profit_3y_to_profit": "三年税前利润/本年税前利润",
    "profit_prior_2y_to_total_assets": "三年税前利润减本年三倍（占总资产）",
    "inventory_to_total_assets": "存货/总资产", "receivables_to_total_assets": "应收账款/总资产",
    "total_liabilities_to_sales": "总负债/销售额", "short_term_share_of_liabilities": "短期负债占总负债比例",
    "current_assets_to_total_assets": "流动资产/总资产", "operating_expenses_to_sales": "经营费用/销售额",
    "equity_to_sales": "股东权益/销售额", "return_on_equity": "净资产收益率",
    "receivables_to_short_term_liabilities": "应收账款/短期负债",
}

# Payment behaviour, accounts and default notes, country and sector (combine.py), by code.
OVERLAY_ZH: dict[str, str] = {
    "payment.on_time": "按时付款（超期天数）",
    "payment.days_beyond_terms": "超出账期天数",
    "payment.trend": "超期天数趋势（90 天）",
    "payment.partial": "分期付款发票比例",
    "payment.disputes": "有争议发票比例",
    "payment.credit_notes": "每张发票的贷项通知单（退货、已解决争议）",
    "payment.overdue": "逾期未付金额占比（逾期 60 天以上）",
    "accounts.missing": "无财务报表：采用典型企业违约概率",
    "accounts.stale": "财务报表超过 18 个月",
    "default.event": "违约事件",
    "default.insolvency": "已登记破产",
    "default.stopped_paying": "停止付款：逾期 {days} 天以上",
    "country.oecd_class": "国家风险（OECD 第 {cls} 类）",
    "country.unknown": "国家 {iso2} 不在 OECD 表中：按第 {cls} 类处理",
    "country.unclassified": "OECD 未分类（高收入 OECD / 欧元区）：按第 {cls} 类处理",
    "sector.overlay": "行业：{sector}",
}

SECTOR_ZH: dict[str, str] = {
    "A": "农业", "B": "采矿业", "C": "制造业", "D": "能源供应", "E": "供水及废物处理", "F": "建筑业",
    "G": "批发和零售", "H": "运输", "I": "住宿餐饮", "J": "信息通信", "K": "金融", "L": "房地产",
    "M": "专业服务", "N": "行政服务", "O": "公共管理", "P": "教育", "Q": "卫生", "R": "文体娱乐",
    "S": "其他服务",
}

CONFIDENCE_ZH: dict[str, str] = {"high": "高", "medium": "中", "low": "低"}

ZH: dict[str, str] = {**RATIO_ZH, **FEATURE_ZH, **OVERLAY_ZH}


GENERIC_ZH: dict[str, str] = {
    "default.stopped_paying": "停止付款", "country.oecd_class": "国家风险", "country.unknown": "国家风险",
    "country.unclassified": "国家风险", "sector.overlay": "行业",
}


def zh_label(code: str, **details: Any) -> str:
    """The Chinese label of a reason code, with its details (`cls`, `iso2`, `sector`, `days`) filled
    in; without them, a label that needs them falls back to its generic name. '' for an unknown code
    (the English label is then shown)."""
    text = ZH.get(code, "")
    if "{" not in text:
        return text
    try:
        return text.format(**details)
    except (KeyError, IndexError):
        return GENERIC_ZH.get(code, "")


def sector_zh(sector: str | None) -> str:
    letter = (sector or "").strip()[:1].upper()
    return SECTOR_ZH.get(letter, sector or "")


def with_text(reason: Mapping[str, Any]) -> dict[str, Any]:
    """A stored reason with `text` in both languages. Older rows have no `label_zh`: the Chinese text
    then comes from the code (and for a sector, from the value)."""
    out = dict(reason)
    zh = str(out.get("label_zh") or "")
    if not zh:
        code = str(out.get("code", ""))
        zh = zh_label(code, sector=sector_zh(str(out.get("value")))) if code == "sector.overlay" else zh_label(code)
    en = str(out.get("label", ""))
    out["label_zh"] = zh or en
    out["text"] = {"en": en, "zh-CN": zh or en}
    return out
