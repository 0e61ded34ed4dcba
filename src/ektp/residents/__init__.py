"""The population registry: NIK rules, eligibility, import, synthetic population."""
