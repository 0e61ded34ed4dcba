"""Progress dashboards and alerts: pre-aggregated daily counts, per level, and the rules."""
