"""A list of union members completed by class (services/common/execution.py `complete_objects`): an
item cast to another member (`strawberry.cast`) among a run of one class still completes as its cast
says, as strawberry's general path has it."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from services.common.schema import SubgraphSchema


@strawberry.type
class Cat:
    name: str


@strawberry.type
class Dog:
    name: str


Pet = Annotated[Cat | Dog, strawberry.union("Pet")]


def pets() -> list[Any]:
    cast = strawberry.cast(Dog, Cat(name="c"))  # a Cat among Cats, answered as a Dog
    return [Cat(name="a"), Cat(name="b"), cast, Dog(name="d"), Dog(name="e"), None, Cat(name="f")]


@strawberry.type
class Query:
    @strawberry.field
    def pets(self) -> list[Pet | None]:  # type: ignore[valid-type]
        return pets()


QUERY = "{ pets { __typename ... on Cat { name } ... on Dog { dog: name } } }"


async def test_a_cast_item_among_a_run_of_one_class_answers_as_the_general_path() -> None:
    fast = await SubgraphSchema(Query).execute(QUERY)
    general = await strawberry.federation.Schema(query=Query).execute(QUERY)
    assert fast.errors == general.errors
    assert fast.data == general.data
    assert fast.data is not None
    expected = ["Cat", "Cat", "Dog", "Dog", "Dog", None, "Cat"]
    assert [p and p["__typename"] for p in fast.data["pets"]] == expected
