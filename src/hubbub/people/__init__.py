"""People: users, teams, roles and what each may do; sessions and API tokens."""
