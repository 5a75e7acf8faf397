# An `if` condition must be a scalar bool (LANGUAGE.md §3); a string is not.
# error: an `if` condition must be a bool, not str
# at: 4:4
if "yes" { print("truthy") }
