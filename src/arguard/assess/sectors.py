"""How cyclical a sector is: the NACE Rev. 2 section (first letter of the sector code) → high, medium
or low, with the reason. A judgement from how default rates of each section move over the business
cycle (construction, real estate, transport, hospitality and durable-goods manufacturing swing the
most; utilities, health, education and public bodies the least). A finer division overrides its
section (C29 motor vehicles, C10 food)."""

from __future__ import annotations

CYCLICALITY: dict[str, tuple[str, str, str]] = {
    # code: (level, why in English, why in Chinese)
    "A": ("medium", "harvests and commodity prices", "收成与大宗商品价格波动"),
    "B": ("high", "commodity prices", "大宗商品价格"),
    "C": ("medium", "manufacturing follows orders", "制造业随订单波动"),
    "C10": ("low", "food is bought in any cycle", "食品需求稳定"),
    "C21": ("low", "pharmaceuticals", "医药需求稳定"),
    "C24": ("high", "basic metals", "基础金属周期性强"),
    "C25": ("high", "metal products follow investment", "金属制品随投资波动"),
    "C28": ("high", "machinery follows investment", "机械设备随投资波动"),
    "C29": ("high", "cars and parts", "汽车及零部件"),
    "D": ("low", "regulated utilities", "受监管的公用事业"),
    "E": ("low", "water and waste", "水务与废弃物处理"),
    "F": ("high", "construction", "建筑业"),
    "G": ("medium", "trade follows demand", "批发零售随需求波动"),
    "H": ("high", "freight volumes", "货运量波动"),
    "I": ("high", "travel and eating out", "旅游与餐饮"),
    "J": ("medium", "information and communication", "信息通信"),
    "K": ("medium", "finance", "金融业"),
    "L": ("high", "real estate", "房地产"),
    "M": ("medium", "professional services", "专业服务"),
    "N": ("medium", "administrative services", "行政支持服务"),
    "O": ("low", "public administration", "公共管理"),
    "P": ("low", "education", "教育"),
    "Q": ("low", "health", "医疗卫生"),
    "R": ("high", "arts and recreation", "文娱"),
    "S": ("medium", "other services", "其他服务"),
}


def cyclicality(sector: str | None) -> tuple[str, str, str]:
    """(level, reason en, reason zh) of a sector code; an unknown code is 'medium' and says so."""
    code = (sector or "").strip().upper()
    for key in (code[:3], code[:1]):
        if key in CYCLICALITY:
            return CYCLICALITY[key]
    return ("medium", f"sector {code or '?'} not in the table", f"行业 {code or '?'} 不在表中")
