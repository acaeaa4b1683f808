"""Function calling: client tool declarations, argument validation and call planning.

The session hands a user's request, the declared functions and the current time to a
:class:`~openlive.engine.tools.planner.ToolPlanner`, which returns zero or more calls whose
arguments always validate against the declared schemas.
"""
