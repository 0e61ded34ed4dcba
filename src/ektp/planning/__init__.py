"""Equipment planning and what-if simulation: how many sets, where, and how the queue goes."""
