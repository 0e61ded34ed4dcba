"""The Kemendagri area hierarchy and its RW/RT units."""
