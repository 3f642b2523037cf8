"""A credit conversion between systems, with its steps and every figure's source."""

from __future__ import annotations

import strawberry

from services.credits import conversion
from services.credits.types.enums import ConversionBasis


@strawberry.type(description="A published source for a figure.")
class Source:
    title: str
    publisher: str
    year: int
    url: str | None
    rule: str = strawberry.field(description="What the source says, in a sentence.")

    @classmethod
    def of(cls, source: conversion.Source) -> Source:
        return cls(
            title=source.title, publisher=source.publisher, year=source.year, url=source.url, rule=source.rule
        )


@strawberry.type(description="One step of a conversion, or an assumption it made.")
class ConversionStep:
    text: str = strawberry.field(description="Spanish.")
    text_en: str
    source: Source | None

    @classmethod
    def of(cls, step: conversion.Step) -> ConversionStep:
        return cls(
            text=step.text_es, text_en=step.text_en, source=Source.of(step.source) if step.source else None
        )


@strawberry.type(description="Credits converted between systems, with the basis and every figure's source.")
class CreditConversion:
    value: float = strawberry.field(description="The central estimate, to two decimals.")
    low: float
    high: float
    notional_hours_low: float | None
    notional_hours_high: float | None
    basis: ConversionBasis  # type: ignore[valid-type]
    steps: list[ConversionStep]
    assumptions: list[ConversionStep]
    explanation: str = strawberry.field(description="Spanish.")
    explanation_en: str

    @classmethod
    def of(cls, result: conversion.Conversion) -> CreditConversion:
        return cls(
            value=float(result.value),
            low=float(result.low),
            high=float(result.high),
            notional_hours_low=None if result.hours_low is None else float(result.hours_low),
            notional_hours_high=None if result.hours_high is None else float(result.hours_high),
            basis=result.basis,
            steps=[ConversionStep.of(s) for s in result.steps],
            assumptions=[ConversionStep.of(s) for s in result.assumptions],
            explanation=result.explanation_es,
            explanation_en=result.explanation_en,
        )
