"""Models and their processing classes: from a hub id, a local directory, a GGUF file, or built in code."""
