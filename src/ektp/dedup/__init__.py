"""Deduplication: the gate every accepted record passes before printing (demographic and
biometric matching fill it in a later issue)."""
