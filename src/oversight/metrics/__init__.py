"""The metric catalogue per framework year, observations and their import batches."""
