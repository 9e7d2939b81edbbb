"""Weekly hours as the configuration writes them (days, start, end), each read as one
timing.weekly.Window: a tenant's business hours and when an on-call layer is on."""

from pydantic import BaseModel, ConfigDict, field_validator

from handlers.timing.parse import parse_clock
from handlers.timing.weekly import Window, parse_days


class Hours(BaseModel):
    """Checked on load with the parsers that read it later, so a configuration that
    loads never holds hours that routing or on-call cannot read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: str
    start: str
    end: str

    @field_validator("days")
    @classmethod
    def _days(cls, value: str) -> str:
        parse_days(value)
        return value

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        parse_clock(value)
        return value

    @property
    def window(self) -> Window:
        return Window.parse(self.days, self.start, self.end)


class BusinessHours(Hours):
    days: str = "mon-fri"
    start: str = "08:00"
    end: str = "18:00"

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        try:
            parse_clock(value)
        except ValueError:
            raise ValueError("must be a time of day such as 08:00") from None
        return value


class LayerHours(Hours):
    """When a layer is on, in its local time; an end before the start runs overnight."""

    days: str = "mon-sun"
    start: str = "00:00"
    end: str = "00:00"
