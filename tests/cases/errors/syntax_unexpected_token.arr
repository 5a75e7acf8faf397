# Two expressions without an operator between them.
# error: unexpected integer `2`
# at: 5:9
print("before")
print(1 2)
