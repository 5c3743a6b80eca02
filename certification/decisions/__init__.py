"""Decisions that move money: death cases and payment decisions (suspension and resumption)."""
