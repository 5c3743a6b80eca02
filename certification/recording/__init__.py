"""Recording certifications: counter, home visit at the door, consular paper forms; receipts, evidence, voids."""
