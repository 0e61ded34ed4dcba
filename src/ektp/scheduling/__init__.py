"""Scheduling: the campaign definition, RT turn order, the planner and re-invitations."""
