"""Messages in English and 简体中文. Each capability registers its own keys with `register`."""

from __future__ import annotations

LANGUAGES = ("en", "zh-CN")
_MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh-CN": {}}


def register(messages: dict[str, tuple[str, str]]) -> None:
    """messages: key → (English, 中文)."""
    for key, (en, zh) in messages.items():
        _MESSAGES["en"][key] = en
        _MESSAGES["zh-CN"][key] = zh


_FROM_REGISTRY = False


def _load_registry() -> None:
    """Every capability's declared messages (arguard.platform.registry), loaded on first use."""
    global _FROM_REGISTRY
    if _FROM_REGISTRY:
        return
    _FROM_REGISTRY = True
    from arguard.platform import registry

    for _cap, ref in registry.each("translations"):
        register(registry.resolve(ref))


def translate(lang: str, key: str, /, **kwargs: object) -> str:
    if not _FROM_REGISTRY:
        _load_registry()
    text = _MESSAGES.get(lang, _MESSAGES["en"]).get(key) or _MESSAGES["en"].get(key) or key
    return text.format(**kwargs) if kwargs else text


register({
    "app.title": ("arguard — receivables protection", "arguard — 应收账款保护"),
    "nav.overview": ("Overview", "总览"),
    "nav.customers": ("Customers", "客户"),
    "nav.logout": ("Log out", "退出"),
    "logout.title": ("Log out", "退出登录"),
    "logout.confirm": ("Sign out of arguard on this browser?", "确定在此浏览器上退出 arguard？"),
    "login.title": ("Sign in", "登录"),
    "login.company": ("Company", "公司"),
    "login.username": ("User name", "用户名"),
    "login.password": ("Password", "密码"),
    "login.submit": ("Sign in", "登录"),
    "login.failed": ("Wrong company, user name or password.", "公司、用户名或密码错误。"),
    "lang.switch": ("中文", "English"),
    "lang.switch_title": ("切换到中文", "Switch to English"),
    "error.title": ("Something is not right", "出错了"),
    "error.home": ("Back to the overview", "返回总览"),
    "error.detail": ("Technical detail", "技术细节"),
    "error.status.400": ("The request could not be understood.", "无法识别该请求。"),
    "error.status.401": ("Please sign in.", "请先登录。"),
    "error.status.403": ("Your role may not do this.", "您的角色无权执行此操作。"),
    "error.status.404": ("There is no such page or record in this company.", "本公司中没有该页面或记录。"),
    "error.status.409": ("This conflicts with what is recorded already.", "与已有记录冲突。"),
    "error.status.413": ("The file is too large.", "文件过大。"),
    "error.status.422": ("Some input is not valid.", "部分输入无效。"),
    "error.status.429": ("Too many attempts; please wait a moment.", "尝试次数过多，请稍候。"),
    "common.sort": ("Sort by", "排序"),
    "common.group_by_buyer": ("group by buyer", "按买方分组"),
    "common.filter": ("Filter", "筛选"),
    "common.ascending": ("ascending", "升序"),
    "common.descending": ("descending", "降序"),
    "common.items_of_buyer": ("{n} item(s), {total}", "{n} 项，合计 {total}"),
    "common.as_of": ("As of", "截至日期"),
    "common.apply": ("Apply", "应用"),
    "common.search": ("Search", "搜索"),
    "common.previous": ("Previous", "上一页"),
    "common.next": ("Next", "下一页"),
    "common.page": ("Page {page} of {pages} · {total} in all", "第 {page} / {pages} 页 · 共 {total} 条"),
    "common.none": ("Nothing to show.", "暂无数据。"),
    "common.all": ("All", "全部"),
    "common.currency": ("Currency", "币种"),
    "common.download": ("Download", "下载"),
    "common.panel_unavailable": ("Not available: {reason}", "无法显示：{reason}"),
    "footer.text": ("arguard · accounts-receivable protection · amounts in their own currency, dates ISO 8601",
                    "arguard · 应收账款保护 · 金额按原币种显示，日期格式为 ISO 8601"),
})
