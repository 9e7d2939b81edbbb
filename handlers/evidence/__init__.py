"""Evidence: the monthly report, signed exports and audit checkpoints."""
