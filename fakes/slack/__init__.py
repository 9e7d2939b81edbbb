"""Slack: the Web API, and the signed interaction, command and event bodies Slack sends."""
