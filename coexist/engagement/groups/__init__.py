"""Groups and drop-in sessions (seed 002): ward substance-misuse groups people may keep attending after
discharge, and a weekly drop-in with confidential (counted, unnamed) visits (R12)."""
