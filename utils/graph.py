"""Inspecting autograd graphs (being written for the chapter "Dynamic computation graphs")."""

__all__: list[str] = []
