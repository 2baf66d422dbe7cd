"""The ICS development plan: themes, workstreams, owners, actions with deadlines, delivery status
at quarterly checkpoints, the maturity matrix and the plan's context (seed 004)."""
