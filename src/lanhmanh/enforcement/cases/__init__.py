"""Criminal cases from bust to judgment (issue 13): police, procuracy and court on one record."""
