"""Engine-neutral models and analysis. Nothing here imports Textual or a driver."""
