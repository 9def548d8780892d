"""Run directories: where a run's config, progress, metrics and models live, and which process writes them."""
