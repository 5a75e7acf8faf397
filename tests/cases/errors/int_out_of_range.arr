# int() of a float beyond i64 cannot be represented: an error, as int(inf) is.
# error: cannot convert
print(int(1e19))
