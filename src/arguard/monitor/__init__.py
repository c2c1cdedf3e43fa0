"""Monitoring and real-time risk alerts (事中监控 · 实时风险预警): events, rules, alerts, reactions, delivery."""
