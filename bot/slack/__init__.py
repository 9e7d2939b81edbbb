"""The Slack adapter: slack-bolt on the shared aiohttp app, and the outbox's Slack sender.

Every slack_bolt and slack_sdk import of the program lives in this package.
"""
