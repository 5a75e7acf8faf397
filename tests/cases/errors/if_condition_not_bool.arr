# An `if` condition must be a scalar bool (LANGUAGE.md §3); a string is not.
# error:
if "yes" { print("truthy") }
