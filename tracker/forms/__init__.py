"""WTForms classes: the shape of input. Business rules live in services."""
