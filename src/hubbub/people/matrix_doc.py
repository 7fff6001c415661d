"""Render the permission table of docs/people.md from
hubbub.people.permissions.MATRIX, so the documentation cannot drift from the
code (tests/people/test_people_doc.py checks it):
``python -m hubbub.people.matrix_doc``."""

from __future__ import annotations

from hubbub.people.permissions import MATRIX, ROLES

BEGIN = "<!-- permission matrix: generated, do not edit -->"
END = "<!-- end of permission matrix -->"


def render() -> str:
    head = "| permission | token scope | " + " | ".join(ROLES) + " |"
    rule = "| --- | --- | " + " | ".join("---" for _ in ROLES) + " |"
    rows = [
        f"| `{permission}` | `{scope}` | "
        + " | ".join("yes" if role in roles else "—" for role in ROLES)
        + " |"
        for permission, (scope, roles) in MATRIX.items()
    ]
    return "\n".join([BEGIN, head, rule, *rows, END])


if __name__ == "__main__":
    print(render())
