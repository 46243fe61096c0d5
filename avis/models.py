"""Consultation des communes et conseils citoyens sur le projet de rapport annuel."""
