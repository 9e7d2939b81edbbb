"""The Bot Framework: the Bot Connector service, and the identity behind Teams tokens."""
