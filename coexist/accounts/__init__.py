"""Staff users, sign-in hardening and personal API tokens."""
