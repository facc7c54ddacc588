"""The Textual TUI: the only layer that imports Textual (docs/architecture.md, "The layers")."""
