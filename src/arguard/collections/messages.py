"""Dashboard texts of collections: key -> (English, 中文)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "collections.nav": ("Collections", "催收"),
}
