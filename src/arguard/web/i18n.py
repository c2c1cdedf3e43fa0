"""Messages in English and 简体中文. Each capability registers its own keys with `register`."""

from __future__ import annotations

LANGUAGES = ("en", "zh-CN")
_MESSAGES: dict[str, dict[str, str]] = {"en": {}, "zh-CN": {}}


def register(messages: dict[str, tuple[str, str]]) -> None:
    """messages: key → (English, 中文)."""
    for key, (en, zh) in messages.items():
        _MESSAGES["en"][key] = en
        _MESSAGES["zh-CN"][key] = zh


def translate(lang: str, key: str, **kwargs: object) -> str:
    text = _MESSAGES.get(lang, _MESSAGES["en"]).get(key) or _MESSAGES["en"].get(key) or key
    return text.format(**kwargs) if kwargs else text


register({
    "app.title": ("arguard — receivables protection", "arguard — 应收账款保护"),
    "nav.overview": ("Overview", "总览"),
    "nav.customers": ("Customers", "客户"),
    "nav.logout": ("Log out", "退出"),
    "login.title": ("Sign in", "登录"),
    "login.company": ("Company", "公司"),
    "login.username": ("User name", "用户名"),
    "login.password": ("Password", "密码"),
    "login.submit": ("Sign in", "登录"),
    "login.failed": ("Wrong company, user name or password.", "公司、用户名或密码错误。"),
    "lang.switch": ("中文", "English"),
})
