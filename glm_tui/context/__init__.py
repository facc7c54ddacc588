"""The model's window: token estimates, known models' windows and vision models, how full a
conversation is, and compaction (a summary of older turns sent in their place). No Textual."""
