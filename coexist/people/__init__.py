"""The person who uses services: identity, equality fields, contact, carers, consent."""
