"""Who may see and do what: roles scoped to a region, system or organisation."""
