"""The answer chain's prompt templates, as text files; ``assistant.prompts`` loads them.

A package only so that a wheel installs them beside the code.
"""
