"""minqing's domain: model, workflow, store, index, rollups, audit, sync. No CLI code here."""

__version__ = "0.1.0"
