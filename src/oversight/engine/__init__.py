"""Pure computation for Oversight (numpy, no Django): SPC, ranking and scoring engines."""
