"""Microsoft Teams: every botbuilder import lives in this package, so that moving to the
Microsoft 365 Agents SDK stays a one-folder change. Start at mount.py."""
