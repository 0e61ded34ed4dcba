"""Users, roles, area scopes and the audit log of access to personal data."""
