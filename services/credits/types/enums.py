"""The credit bank's enums, and the registry's enums its required fields use."""

from __future__ import annotations

import enum

import strawberry

from services.credits import conversion, transcript

CreditSystem = strawberry.enum(conversion.CreditSystem, description="A system of academic credit.")
Activity = strawberry.enum(conversion.Activity, description="What the learner's hours were spent on.")
ConversionBasis = strawberry.enum(
    conversion.Basis, name="ConversionBasis", description="How a conversion was made."
)
LineStatus = strawberry.enum(
    transcript.LineStatus, description="Why a certificate did or did not earn credit."
)
CapBasis = strawberry.enum(transcript.CapBasis, description="Which requirement sets a programme's cap.")


@strawberry.enum(description="The level at which a rule grants credit.")
class CreditLevel(enum.Enum):
    VOCATIONAL = "VOCATIONAL"
    LOWER_DIVISION = "LOWER_DIVISION"
    UPPER_DIVISION = "UPPER_DIVISION"
    GRADUATE = "GRADUATE"


@strawberry.enum(description="The award a programme leads to.")
class AwardLevel(enum.Enum):
    UPPER_SECONDARY = "UPPER_SECONDARY"
    POST_SECONDARY_CERTIFICATE = "POST_SECONDARY_CERTIFICATE"
    SHORT_CYCLE = "SHORT_CYCLE"
    BACHELOR = "BACHELOR"
    MASTER = "MASTER"
    DOCTORATE = "DOCTORATE"


@strawberry.enum
class RuleStatus(enum.Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    RETIRED = "retired"


@strawberry.enum(description="A ledger entry's kind.")
class EntryKind(enum.Enum):
    DEPOSIT = "deposit"
    APPLICATION = "application"
    REVERSAL = "reversal"


# The registry's enums, repeated because the fields the credit bank requires use them.
@strawberry.enum
class CertificateScope(enum.Enum):
    WHOLE = "whole"
    ELEMENTS = "elements"


@strawberry.enum
class CertificateStatus(enum.Enum):
    VALID = "valid"
    REVOKED = "revoked"
