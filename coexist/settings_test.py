"""Settings for the test suite: fast hashing, immediate tasks, a throwaway secret."""

import os

os.environ.setdefault("COEXIST_SECRET_KEY", "test-only-secret-key-0123456789abcdef0123456789")
os.environ.setdefault("COEXIST_SECURE_COOKIES", "0")
# Playwright's sync API runs an event loop in the test thread; live_server needs this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from coexist.settings import *  # noqa: F403

# Production keeps Argon2 (settings.py); a test about hashing asserts that list, not this one.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
