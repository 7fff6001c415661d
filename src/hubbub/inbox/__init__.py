"""The team inbox: conversations, routing, service levels, the scheduler."""
