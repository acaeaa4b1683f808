"""Language-model backends."""
