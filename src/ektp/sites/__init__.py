"""Recording sites: equipment sets, opening sessions, holidays and the capacity they give."""
