"""Dashboard: server-rendered pages (Jinja2), Chart.js served locally, zh-CN and English."""
