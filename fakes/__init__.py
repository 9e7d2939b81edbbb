"""Fakes of the external services Tandem talks to, on 127.0.0.1, speaking their real wire
formats: Slack's Web API (and the signed requests Slack sends), the Bot Framework's
Bot Connector and identity (OpenID metadata, JWKS, Graph users and channel messages),
and Graph's security API. The tests and the benchmarks share them."""
